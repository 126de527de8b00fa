package dev.jbert.finetune.report;

import dev.jbert.core.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;

/**
 * {@code confusion_matrix.png}: a heat map of gold class (rows, first class at the top) against
 * predicted class (columns). Colour is the share of the row, i.e. of that gold class's examples, so
 * rare and frequent classes read alike and the diagonal is each class's recall. The picture grows
 * with the number of classes (at least {@value #MIN_CELL} px per cell) so that every label of 77 or
 * 151 classes is printed; cells show their percentage when there are at most {@value
 * #MAX_CLASSES_WITH_VALUES} classes. Labels are drawn in an installed font that has their script
 * (e.g. Noto Sans CJK from Debian's {@code fonts-noto-cjk} for Chinese); a label that no installed
 * font can draw is shown as {@code #id}, and a legend below the matrix maps each such id to its
 * label (characters without a glyph written as escapes).
 */
public final class ConfusionMatrixChart {

  /** Default file name inside a run folder. */
  public static final String FILE_NAME = "confusion_matrix.png";

  static final int MIN_CELL = 14;
  static final int MAX_CLASSES_WITH_VALUES = 20;

  /**
   * Colours at shares 0, 0.1, …, 1 (XChart spaces the colours evenly over [min, max]). The ramp is
   * steep near 0 so that a class confused a few times in 40 is visibly tinted, not white.
   */
  private static final Color[] RAMP = {
      Color.WHITE, new Color(0xBFD8EE), new Color(0x8DBEE0), new Color(0x66A6D3), new Color(0x4A91C7), new Color(0x337DBB),
      new Color(0x226AAD), new Color(0x16589B), new Color(0x0E4885), new Color(0x0A3B70), new Color(0x08306B)};

  /** With printed values the darkest colour stays light enough for black text. */
  private static final Color[] LIGHT_RAMP = {
      Color.WHITE, new Color(0xBFD8EE), new Color(0x9CC6E6), new Color(0x7DB3DC), new Color(0x62A0D1)};

  private ConfusionMatrixChart() {}

  /**
   * Draws the chart and writes it atomically as PNG.
   *
   * @param confusion {@code [gold, predicted]} counts, square
   * @param labels class names by id
   */
  public static void write(int[][] confusion, List<String> labels, Path png) throws IOException {
    int k = labels.size();
    if (k == 0 || confusion.length != k) {
      throw new IllegalArgumentException("confusion matrix has " + confusion.length + " rows for " + k + " labels");
    }
    for (int[] row : confusion) {
      if (row.length != k) {
        throw new IllegalArgumentException("confusion matrix is not " + k + " x " + k);
      }
    }
    AtomicFiles.writeBytes(png, ChartText.png(image(confusion, labels, ChartText.familyFor(labels))));
  }

  /** The chart drawn with labels in {@code family}, with the legend of the labels it cannot draw. */
  static BufferedImage image(int[][] confusion, List<String> labels, String family) {
    int k = labels.size();
    Font tickFont = new Font(family, Font.PLAIN, k > 60 ? 10 : 12);
    List<String> names = ChartText.drawable(labels, tickFont);
    BufferedImage image = BitmapEncoder.getBufferedImage(chart(confusion, labels, names, tickFont));
    List<String> legend = ChartText.legend(labels, names, tickFont);
    if (legend.isEmpty()) {
      return image;
    }
    return ChartText.withLines(image, "#id = class name (no installed font draws these names; on Debian: apt-get install "
        + ChartText.CJK_FONT_PACKAGE + ")", legend, ChartText.font(Font.PLAIN, 12));
  }

  private static HeatMapChart chart(int[][] confusion, List<String> labels, List<String> names, Font tickFont) {
    int k = labels.size();
    int cell = k > 60 ? MIN_CELL : k > 20 ? 20 : 44;
    int tickFontSize = tickFont.getSize();
    int longestLabel = 0;
    for (String name : names) {
      longestLabel = Math.max(longestLabel, name.length());
    }
    int labelSpace = 40 + longestLabel * (tickFontSize * 6 / 10 + 1); // rough width of the longest label
    int width = Math.max(700, k * cell + labelSpace + 200); // + axis title and colour legend
    int height = Math.max(500, k * cell + labelSpace + 120); // + title

    // The builder applies a theme; the bare constructor leaves fonts and colours null.
    HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).build();
    chart.setTitle("Confusion matrix (" + total(confusion) + " examples)");
    boolean idsOnly = !names.equals(labels);
    chart.setXAxisTitle(idsOnly ? "predicted (#n = class id n, see the legend below)" : "predicted");
    chart.setYAxisTitle("gold (colour: share of the row)");

    List<String> rowsTopDown = new ArrayList<>(names);
    Collections.reverse(rowsTopDown); // the y axis grows upwards; put class 0 at the top
    List<Number[]> cells = new ArrayList<>(k * k);
    for (int gold = 0; gold < k; gold++) {
      long rowTotal = 0;
      for (int c : confusion[gold]) {
        rowTotal += c;
      }
      for (int predicted = 0; predicted < k; predicted++) {
        double share = rowTotal == 0 ? 0 : (double) confusion[gold][predicted] / rowTotal;
        cells.add(new Number[] {predicted, k - 1 - gold, share});
      }
    }
    chart.addSeries("share of gold class", names, rowsTopDown, cells);
    style(chart.getStyler(), tickFont, k);
    return chart;
  }

  private static void style(HeatMapStyler styler, Font tickFont, int k) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setChartTitleFont(ChartText.font(Font.BOLD, 16));
    styler.setAxisTitleFont(ChartText.font(Font.PLAIN, 14));
    styler.setAxisTickLabelsFont(tickFont);
    styler.setXAxisLabelRotation(90);
    styler.setPlotContentSize(1.0);
    styler.setMin(0);
    styler.setMax(1);
    styler.setRangeColors(k <= MAX_CLASSES_WITH_VALUES ? LIGHT_RAMP : RAMP);
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendFont(ChartText.font(Font.PLAIN, 12));
    styler.setHeatMapValueDecimalPattern("0%");
    styler.setDrawBorder(k <= 60);
    styler.setShowValue(k <= MAX_CLASSES_WITH_VALUES);
    styler.setValueFont(ChartText.font(Font.BOLD, 12));
    styler.setValueFontColor(Color.BLACK);
    styler.setPlotGridLinesVisible(false);
  }

  private static long total(int[][] confusion) {
    long sum = 0;
    for (int[] row : confusion) {
      for (int c : row) {
        sum += c;
      }
    }
    return sum;
  }
}
