package dev.jbert.finetune.report;

import java.awt.Font;
import java.util.ArrayList;
import java.util.List;

/** Fonts and label text for charts drawn on machines that may lack fonts for some scripts. */
final class ChartText {

  /** Java's logical sans-serif font: maps to whatever fonts the machine has, with fallbacks. */
  static final String FAMILY = Font.SANS_SERIF;

  private ChartText() {}

  static Font font(int style, int size) {
    return new Font(FAMILY, style, size);
  }

  /**
   * The labels as they can be drawn: a label the font cannot show (e.g. Chinese on a machine without
   * CJK fonts) becomes {@code #id}, so the axis shows an id instead of empty boxes.
   */
  static List<String> drawable(List<String> labels, Font font) {
    List<String> out = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      out.add(font.canDisplayUpTo(label) == -1 ? label : "#" + i);
    }
    return out;
  }
}
