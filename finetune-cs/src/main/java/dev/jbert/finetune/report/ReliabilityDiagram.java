package dev.jbert.finetune.report;

import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.calibrate.CalibrationError;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code reliability_diagram.png}: per confidence bin ({@value CalibrationError#BINS} equal-width
 * bins), the accuracy of the predictions against their mean confidence, before and after
 * temperature scaling, with the diagonal where a calibrated model lies (answers given with
 * confidence 0.9 are right 90% of the time). Empty bins are left out; the legend gives each curve's
 * expected calibration error.
 */
public final class ReliabilityDiagram {

  /** Default file name inside a run folder, beside {@code confusion_matrix.png}. */
  public static final String FILE_NAME = "reliability_diagram.png";

  private static final int SIZE = 700;

  private ReliabilityDiagram() {}

  /**
   * Draws the diagram and writes it atomically as PNG.
   *
   * @param before the bins of the uncalibrated probabilities ({@link CalibrationError#bins})
   * @param after the bins after temperature scaling at {@code temperature}
   */
  public static void write(List<CalibrationError.Bin> before, double eceBefore, List<CalibrationError.Bin> after, double ece,
      double temperature, Path png) throws IOException {
    AtomicFiles.writeBytes(png, ChartText.png(BitmapEncoder.getBufferedImage(chart(before, eceBefore, after, ece, temperature))));
  }

  /** The chart of {@link #write}. */
  static XYChart chart(List<CalibrationError.Bin> before, double eceBefore, List<CalibrationError.Bin> after, double ece,
      double temperature) {
    XYChart chart = new XYChart(SIZE, SIZE);
    chart.setTitle("Reliability diagram");
    chart.setXAxisTitle("confidence (top probability)");
    chart.setYAxisTitle("accuracy");
    XYSeries diagonal = chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.GRAY);
    diagonal.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    add(chart, String.format(Locale.ROOT, "before calibration (ECE %.4f)", eceBefore), before, new Color(0xD62728));
    add(chart, String.format(Locale.ROOT, "temperature %.3f (ECE %.4f)", temperature, ece), after, new Color(0x1F77B4));
    XYStyler styler = chart.getStyler();
    styler.setXAxisMin(0.0);
    styler.setXAxisMax(1.0);
    styler.setYAxisMin(0.0);
    styler.setYAxisMax(1.0);
    LearningCurveChart.houseStyle(styler);
    styler.setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setMarkerSize(7);
    styler.setXAxisDecimalPattern("0.0");
    styler.setYAxisDecimalPattern("0.0");
    return chart;
  }

  private static void add(XYChart chart, String name, List<CalibrationError.Bin> bins, Color color) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (CalibrationError.Bin b : bins) {
      if (b.count() > 0) {
        x.add(b.confidence());
        y.add(b.accuracy());
      }
    }
    if (x.isEmpty()) {
      throw new IllegalArgumentException("no predictions to draw for " + name);
    }
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setLineColor(color);
    s.setMarkerColor(color);
  }
}
