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
}
