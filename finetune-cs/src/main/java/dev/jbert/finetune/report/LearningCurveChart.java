package dev.jbert.finetune.report;

import dev.jbert.core.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code learning_curve.png}: training loss (left axis) and one evaluation metric (right axis)
 * against the optimizer step, from the entries of a {@link TrainingLog}. Tick labels have as many
 * decimals as each axis's range needs.
 */
public final class LearningCurveChart {

  /** Default file name inside a run folder. */
  public static final String FILE_NAME = "learning_curve.png";

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 600;

  private LearningCurveChart() {}

  /**
   * Draws the chart and writes it atomically as PNG.
   *
   * @param evalMetric name of the metric in {@link LogEntry#eval()} to draw (e.g. {@code accuracy});
   *     entries without it are skipped; null draws the loss only
   * @throws IllegalArgumentException when there is nothing to draw
   */
  public static void write(List<LogEntry> entries, String evalMetric, Path png) throws IOException {
    AtomicFiles.writeBytes(png, ChartText.png(BitmapEncoder.getBufferedImage(chart(entries, evalMetric))));
  }

  /** The chart of {@link #write}. */
  static XYChart chart(List<LogEntry> entries, String evalMetric) {
    List<Double> lossSteps = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> evalSteps = new ArrayList<>();
    List<Double> evals = new ArrayList<>();
    for (LogEntry e : entries) {
      if (e.loss() != null && Double.isFinite(e.loss())) {
        lossSteps.add((double) e.step());
        losses.add(e.loss());
      }
      Double metric = evalMetric == null ? null : e.eval().get(evalMetric);
      if (metric != null && Double.isFinite(metric)) {
        evalSteps.add((double) e.step());
        evals.add(metric);
      }
    }
    if (losses.isEmpty() && evals.isEmpty()) {
      throw new IllegalArgumentException("no loss and no '" + evalMetric + "' values to draw");
    }

    XYChart chart = new XYChart(WIDTH, HEIGHT);
    String pattern = null;
    chart.setTitle("Learning curve");
    chart.setXAxisTitle("step");
    style(chart.getStyler());
    if (!losses.isEmpty()) {
      XYSeries loss = chart.addSeries("training loss", lossSteps, losses);
      loss.setYAxisGroup(0);
      loss.setLineColor(new Color(0x1F77B4));
      loss.setMarker(SeriesMarkers.NONE);
      chart.setYAxisGroupTitle(0, "training loss");
      pattern = axisRange(chart.getStyler(), 0, losses);
    }
    if (!evals.isEmpty()) {
      int group = losses.isEmpty() ? 0 : 1;
      XYSeries eval = chart.addSeries("eval " + evalMetric, evalSteps, evals);
      eval.setYAxisGroup(group);
      eval.setLineColor(new Color(0xD62728));
      eval.setMarkerColor(new Color(0xD62728));
      eval.setMarker(SeriesMarkers.CIRCLE);
      chart.setYAxisGroupTitle(group, "eval " + evalMetric);
      chart.getStyler().setYAxisGroupPosition(group, group == 1 ? Styler.YAxisPosition.Right : Styler.YAxisPosition.Left);
      String evalPattern = axisRange(chart.getStyler(), group, evals);
      pattern = pattern == null || evalPattern.length() > pattern.length() ? evalPattern : pattern;
    }
    // One pattern for both y axes, the finer one: XChart 3.8.8 formats every y axis with group 0's
    // entry of the per-group pattern map, so per-axis patterns cannot be had.
    chart.getStyler().setYAxisDecimalPattern(pattern);
    return chart;
  }

  /**
   * A flat series (one evaluation, or the same accuracy every epoch) gets a small range around its
   * value, where XChart would otherwise print one tick with the value's full expansion; returns the
   * tick pattern the axis's range needs.
   */
  private static String axisRange(XYStyler styler, int group, List<Double> values) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    if (min == max) {
      double pad = Math.max(Math.abs(max) * 0.02, 0.01);
      min -= pad;
      max += pad;
      styler.setYAxisMin(group, min);
      styler.setYAxisMax(group, max);
    }
    return ChartText.decimalPattern(min, max);
  }

  private static void style(XYStyler styler) {
    houseStyle(styler);
    styler.setLegendPosition(Styler.LegendPosition.InsideNE);
    styler.setMarkerSize(6);
    styler.setXAxisDecimalPattern("#,##0");
  }

  /** The look the project's line charts share (this one and the reliability diagram): white, grey grid, its fonts. */
  static void houseStyle(XYStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderColor(Color.GRAY);
    styler.setChartTitleFont(ChartText.font(Font.BOLD, 18));
    styler.setAxisTitleFont(ChartText.font(Font.PLAIN, 14));
    styler.setAxisTickLabelsFont(ChartText.font(Font.PLAIN, 12));
    styler.setLegendFont(ChartText.font(Font.PLAIN, 13));
    styler.setPlotGridLinesColor(new Color(0xE0E0E0));
  }
}
