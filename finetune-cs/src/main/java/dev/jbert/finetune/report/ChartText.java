package dev.jbert.finetune.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Fonts, label text, number formats and PNG encoding for the charts, which are drawn on machines
 * that may lack fonts for some scripts (a server without a CJK font draws Chinese as empty boxes).
 */
final class ChartText {

  /** Java's logical sans-serif font: maps to whatever fonts the machine has, with fallbacks. */
  static final String FAMILY = Font.SANS_SERIF;

  /**
   * Installed families tried, in this order, for text the logical font cannot draw: the CJK fonts
   * of Debian's {@code fonts-noto-cjk}, {@code fonts-wqy-zenhei}, {@code fonts-arphic-uming} and
   * {@code fonts-droid-fallback}, and of Windows and macOS. Any other installed family that draws
   * the text comes after these.
   */
  static final List<String> PREFERRED_FAMILIES = List.of("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP",
      "Noto Sans CJK KR", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
      "Droid Sans Fallback", "AR PL UMing CN", "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB");

  /** The Debian package the README and the chart's legend point to for Chinese and Japanese labels. */
  static final String CJK_FONT_PACKAGE = "fonts-noto-cjk";

  private ChartText() {}

  static Font font(int style, int size) {
    return new Font(FAMILY, style, size);
  }

  /**
   * The family to draw {@code texts} with: the logical sans-serif when it draws all of them, else
   * the first installed family that does ({@link #PREFERRED_FAMILIES} first), else the logical
   * sans-serif, which then cannot draw some of them (see {@link #drawable}).
   */
  static String familyFor(List<String> texts) {
    List<String> installed = Arrays.asList(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT));
    return familyFor(texts, installed, (family, text) -> new Font(family, Font.PLAIN, 12).canDisplayUpTo(text) == -1);
  }

  /** {@link #familyFor(List)} over given installed families and a test of whether a family draws a text. */
  static String familyFor(List<String> texts, List<String> installed, BiPredicate<String, String> draws) {
    Set<String> candidates = new LinkedHashSet<>();
    candidates.add(FAMILY);
    for (String family : PREFERRED_FAMILIES) {
      if (installed.contains(family)) {
        candidates.add(family);
      }
    }
    candidates.addAll(installed);
    for (String family : candidates) {
      if (texts.stream().allMatch(text -> draws.test(family, text))) {
        return family;
      }
    }
    return FAMILY;
  }

  /**
   * The labels as they can be drawn: a label the font cannot show (e.g. Chinese on a machine without
   * CJK fonts) becomes {@code #id}, so the axis shows an id instead of empty boxes; {@link #legend}
   * then says which label each id is.
   */
  static List<String> drawable(List<String> labels, Font font) {
    return drawable(labels, (IntPredicate) font::canDisplay);
  }

  /** {@link #drawable(List, Font)} for a font that draws the code points {@code canDraw} accepts. */
  static List<String> drawable(List<String> labels, IntPredicate canDraw) {
    List<String> out = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      out.add(label.codePoints().allMatch(canDraw) ? label : "#" + i);
    }
    return out;
  }

  /**
   * The legend lines for the labels {@link #drawable} replaced by ids: {@code #id = label}, where
   * each character the font cannot draw is written as its Java escape (backslash, {@code u}, four
   * hex digits: 景 as {@code \}{@code u666F}), so that the line names the label exactly even without
   * a font for it.
   */
  static List<String> legend(List<String> labels, List<String> drawn, Font font) {
    return legend(labels, drawn, (IntPredicate) font::canDisplay);
  }

  /** {@link #legend(List, List, Font)} for a font that draws the code points {@code canDraw} accepts. */
  static List<String> legend(List<String> labels, List<String> drawn, IntPredicate canDraw) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      if (drawn.get(i).equals(labels.get(i))) {
        continue;
      }
      StringBuilder line = new StringBuilder("#" + i + " = ");
      labels.get(i).codePoints().forEach(c -> {
        if (canDraw.test(c)) {
          line.appendCodePoint(c);
        } else if (Character.isBmpCodePoint(c)) {
          line.append(String.format(Locale.ROOT, "\\u%04X", c));
        } else {
          line.append(String.format(Locale.ROOT, "\\U%08X", c));
        }
      });
      lines.add(line.toString());
    }
    return lines;
  }

  /**
   * {@code image} with a panel of text lines below it, in as many columns as its width holds.
   *
   * @param heading the first line, in bold
   */
  static BufferedImage withLines(BufferedImage image, String heading, List<String> lines, Font font) {
    Graphics2D probe = image.createGraphics();
    FontMetrics metrics = probe.getFontMetrics(font);
    FontMetrics bold = probe.getFontMetrics(font.deriveFont(Font.BOLD));
    probe.dispose();
    int lineHeight = metrics.getHeight() + 2;
    int columnWidth = 24;
    for (String line : lines) {
      columnWidth = Math.max(columnWidth, metrics.stringWidth(line) + 24);
    }
    int margin = 20;
    int width = Math.max(image.getWidth(), bold.stringWidth(heading) + 2 * margin);
    int columns = Math.max(1, Math.min(lines.size(), (width - 2 * margin) / columnWidth));
    width = Math.max(width, columns * columnWidth + 2 * margin);
    int rows = (lines.size() + columns - 1) / columns;
    int height = image.getHeight() + margin + lineHeight * (rows + 1) + margin;

    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.drawImage(image, 0, 0, null);
      g.setColor(Color.BLACK);
      int top = image.getHeight() + margin + metrics.getAscent();
      g.setFont(font.deriveFont(Font.BOLD));
      g.drawString(heading, margin, top);
      g.setFont(font);
      for (int i = 0; i < lines.size(); i++) {
        int column = i / rows;
        int row = i % rows;
        g.drawString(lines.get(i), margin + column * columnWidth, top + (row + 1) * lineHeight);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * A decimal pattern for axis ticks over values in {@code [min, max]}: enough decimals to tell
   * ticks a tenth of the span apart (two for accuracies between 0.3 and 0.95, three when they sit
   * within 0.1), at most six; a single value gets three significant decimals instead of its full
   * double expansion ({@code 0.941176470588235}).
   */
  static String decimalPattern(double min, double max) {
    double span = max - min;
    if (!(span > 0)) {
      span = Math.abs(max) > 0 ? Math.abs(max) / 10 : 1;
    }
    int decimals = (int) Math.ceil(-Math.log10(span)) + 1;
    decimals = Math.max(0, Math.min(6, decimals));
    return decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals);
  }

  /**
   * PNG bytes of an image, encoded in memory: ImageIO's default file cache registers a JVM shutdown
   * hook, which fails while the JVM shuts down (a report written after Ctrl-C).
   */
  static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer in this Java runtime");
      }
    }
    return bytes.toByteArray();
  }
}
