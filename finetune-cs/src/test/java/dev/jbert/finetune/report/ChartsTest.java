package dev.jbert.finetune.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Draws the charts; the PNGs stay in {@code target/chart-samples/} for a look. */
class ChartsTest {

  private static final Path OUT = Path.of("target", "chart-samples");
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private static BufferedImage readPng(Path png) throws IOException {
    byte[] bytes = Files.readAllBytes(png);
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8), png + " is a PNG");
    assertTrue(bytes.length > 10_000, png + " has content: " + bytes.length + " bytes");
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(image != null, "decodes");
    try (var files = Files.list(png.getParent())) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
    return image;
  }

  @Test
  void learningCurve() throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    Random random = new Random(1);
    for (int step = 10; step <= 1_250; step += 10) {
      double loss = 4.3 * Math.exp(-step / 250.0) + 0.15 + 0.05 * random.nextGaussian();
      entries.add(LogEntry.train(step, step / 313.0, loss, 5e-5, 30));
      if (step % 313 < 10) {
        entries.add(LogEntry.evaluation(step, step / 313.0, Map.of("accuracy", 0.93 - 0.6 * Math.exp(-step / 300.0))));
      }
    }
    Path png = OUT.resolve(LearningCurveChart.FILE_NAME);
    LearningCurveChart.write(entries, "accuracy", png);
    BufferedImage image = readPng(png);
    assertEquals(1000, image.getWidth());
    assertEquals(600, image.getHeight());

    LearningCurveChart.write(entries, null, OUT.resolve("learning_curve_loss_only.png"));
    readPng(OUT.resolve("learning_curve_loss_only.png"));
    assertThrows(IllegalArgumentException.class, () -> LearningCurveChart.write(List.of(), "accuracy", OUT.resolve("none.png")));
  }

  /** A 77-class matrix like Banking77's test set: 40 per class, mostly right, confusions between neighbours. */
  @Test
  void confusionMatrixWith77Classes() throws IOException {
    int k = 77;
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      labels.add(i % 3 == 0 ? "card_payment_fee_charged_" + i : "intent_" + i);
    }
    int[][] confusion = new int[k][k];
    Random random = new Random(2);
    for (int gold = 0; gold < k; gold++) {
      for (int n = 0; n < 40; n++) {
        int predicted = random.nextDouble() < 0.9 ? gold : Math.floorMod(gold + random.nextInt(5) - 2, k);
        confusion[gold][predicted]++;
      }
    }
    Path png = OUT.resolve("confusion_matrix_77.png");
    ConfusionMatrixChart.write(confusion, labels, png);
    BufferedImage image = readPng(png);
    assertTrue(image.getWidth() >= k * ConfusionMatrixChart.MIN_CELL, "room for every label: " + image.getWidth());
    assertTrue(image.getHeight() >= k * ConfusionMatrixChart.MIN_CELL);
  }

  @Test
  void smallConfusionMatrixWithValuesAndChineseLabels() throws IOException {
    List<String> labels = List.of("景点", "餐馆", "酒店", "地铁", "出租", "通用");
    int[][] confusion = {
        {120, 5, 3, 0, 0, 2}, {4, 130, 6, 0, 0, 1}, {2, 7, 110, 0, 1, 0},
        {0, 0, 0, 6, 1, 0}, {0, 1, 0, 2, 7, 0}, {1, 0, 0, 0, 0, 50}};
    Path png = OUT.resolve(ConfusionMatrixChart.FILE_NAME);
    ConfusionMatrixChart.write(confusion, labels, png);
    readPng(png);
    assertThrows(IllegalArgumentException.class, () -> ConfusionMatrixChart.write(new int[2][3], List.of("a", "b"), png));
  }

  @Test
  void tickPatternsHaveTheDecimalsTheRangeNeeds() {
    assertEquals("#,##0.000", ChartText.decimalPattern(0.941176470588235, 0.941176470588235));
    assertEquals("0.941", new java.text.DecimalFormat(ChartText.decimalPattern(0.941176470588235, 0.941176470588235),
        java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(0.941176470588235));
    assertEquals("#,##0.00", ChartText.decimalPattern(0.3, 0.95), "accuracy rising over the run");
    assertEquals("#,##0.000", ChartText.decimalPattern(0.91, 0.95), "accuracy within a few points");
    assertEquals("#,##0.0", ChartText.decimalPattern(0.15, 4.3), "a loss curve");
    assertEquals("#,##0", ChartText.decimalPattern(0, 500));
  }

  /** One evaluation (a one-epoch run): XChart drew a single tick with the value's full expansion, 0.941176470588235. */
  @Test
  void aSingleEvaluationGetsARangeAndRoundedTicks() throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    for (int step = 20; step <= 100; step += 20) {
      entries.add(LogEntry.train(step, step / 100.0, 2.0 - step / 100.0, 5e-5, 30));
    }
    entries.add(LogEntry.evaluation(100, 1.0, Map.of("accuracy", 0.941176470588235)));
    org.knowm.xchart.XYChart chart = LearningCurveChart.chart(entries, "accuracy");
    var styler = chart.getStyler();
    assertEquals("#,##0.000", styler.getYAxisDecimalPattern(), "the accuracy's (finer than the loss's #,##0.00)");
    assertTrue(styler.getYAxisMin(1) < 0.9411 && styler.getYAxisMax(1) > 0.9412,
        styler.getYAxisMin(1) + " .. " + styler.getYAxisMax(1));
    LearningCurveChart.write(entries, "accuracy", OUT.resolve("learning_curve_one_eval.png"));
    readPng(OUT.resolve("learning_curve_one_eval.png"));
  }

  @Test
  void labelFontIsAnInstalledFamilyThatDrawsEveryLabel() {
    List<String> chinese = List.of("景点", "餐馆", "酒店");
    java.util.function.BiPredicate<String, String> draws = (family, text) ->
        text.chars().allMatch(c -> c < 0x3000) || family.contains("CJK") || family.equals("WenQuanYi Zen Hei");
    assertEquals("Noto Sans CJK SC", ChartText.familyFor(chinese, List.of("DejaVu Sans", "Acme CJK", "Noto Sans CJK SC"), draws),
        "a preferred CJK family before any other that draws them");
    assertEquals("Acme CJK", ChartText.familyFor(chinese, List.of("DejaVu Sans", "Acme CJK"), draws), "any family that draws them");
    assertEquals(ChartText.FAMILY, ChartText.familyFor(chinese, List.of("DejaVu Sans"), draws), "none: the logical font");
    assertEquals(ChartText.FAMILY, ChartText.familyFor(List.of("card", "refund"), List.of("Noto Sans CJK SC"), draws),
        "the logical font when it draws them");
  }

  @Test
  void labelsNoFontDrawsBecomeIdsWithALegend() {
    java.util.function.IntPredicate latinOnly = c -> c < 0x3000;
    List<String> labels = List.of("card", "景点", "refund_退款");
    List<String> drawn = ChartText.drawable(labels, latinOnly);
    assertEquals(List.of("card", "#1", "#2"), drawn);
    assertEquals(List.of("#1 = \\u666F\\u70B9", "#2 = refund_\\u9000\\u6B3E"), ChartText.legend(labels, drawn, latinOnly));
    assertEquals(List.of(), ChartText.legend(labels, labels, c -> true));
  }

  /**
   * Chinese labels: with a CJK font installed they are drawn and there is no legend; without one the
   * axes show ids and a legend below the matrix names them (taller image). Either way on this machine.
   */
  @Test
  void chineseLabelsAreDrawnOrListedInALegend() throws IOException {
    List<String> chinese = List.of("景点", "餐馆", "酒店", "地铁", "出租", "通用");
    List<String> latin = List.of("aa", "bb", "cc", "dd", "ee", "ff"); // same lengths: same chart size
    int[][] confusion = {
        {120, 5, 3, 0, 0, 2}, {4, 130, 6, 0, 0, 1}, {2, 7, 110, 0, 1, 0},
        {0, 0, 0, 6, 1, 0}, {0, 1, 0, 2, 7, 0}, {1, 0, 0, 0, 0, 50}};
    String family = ChartText.familyFor(chinese);
    boolean drawable = new java.awt.Font(family, java.awt.Font.PLAIN, 12).canDisplayUpTo(String.join("", chinese)) == -1;
    BufferedImage withChinese = ConfusionMatrixChart.image(confusion, chinese, family);
    BufferedImage withLatin = ConfusionMatrixChart.image(confusion, latin, family);
    if (drawable) {
      assertEquals(withLatin.getHeight(), withChinese.getHeight(), family + " draws the labels: no legend");
    } else {
      assertTrue(withChinese.getHeight() > withLatin.getHeight() + 6 * 14, "a legend line per label below the matrix");
      assertTrue(withChinese.getWidth() >= withLatin.getWidth());
    }
    java.nio.file.Files.write(OUT.resolve("confusion_matrix_chinese.png"), ChartText.png(withChinese));
  }
}
