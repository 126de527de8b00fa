package dev.jbert.finetune.train;

import dev.jbert.finetune.report.LogEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: on a terminal a progress bar ({@code me.tongfei:progressbar}) with step,
 * ETA, loss, learning rate and sequences per second; otherwise (a log file, a pipe) one plain line per
 * training-log entry. Evaluations and the end are printed as lines in both cases.
 */
public final class ConsoleProgress implements TrainingListener {

  private final PrintWriter out;
  private final boolean bar;
  private ProgressBar progressBar;
  private long startStep;
  private long totalSteps;
  private long startNanos;
  private long lastStepNanos;
  private double sequencesPerSecond = Double.NaN;

  /**
   * @param out where lines go (the bar itself is drawn on standard output)
   * @param bar draw a progress bar (stdout is a terminal) instead of plain lines
   */
  public ConsoleProgress(PrintWriter out, boolean bar) {
    this.out = out;
    this.bar = bar;
  }

  /** Progress on standard output: a bar when it is a terminal ({@link System#console()}), else plain lines. */
  public static ConsoleProgress onStdout() {
    return new ConsoleProgress(new PrintWriter(System.out, true), System.console() != null);
  }

  @Override
  public void onStart(TrainingPlan plan, long startStep) {
    this.startStep = startStep;
    this.totalSteps = plan.totalSteps();
    this.startNanos = System.nanoTime();
    this.lastStepNanos = startNanos;
    line(String.format(Locale.ROOT, "training %d steps (%d epochs x %d steps, warm-up %d)%s", plan.totalSteps(),
        plan.epochs(), plan.stepsPerEpoch(), plan.warmupSteps(), startStep > 0 ? ", resuming after step " + startStep : ""));
    if (bar) {
      progressBar = new ProgressBarBuilder()
          .setTaskName("train")
          .setInitialMax(plan.totalSteps())
          .setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(System.out))
          .setUpdateIntervalMillis(500)
          .startsFrom(startStep, Duration.ZERO)
          .build();
    }
  }

  @Override
  public void onStep(StepProgress p) {
    long now = System.nanoTime();
    double rate = p.sequences() / ((now - lastStepNanos) / 1e9);
    sequencesPerSecond = Double.isNaN(sequencesPerSecond) ? rate : 0.9 * sequencesPerSecond + 0.1 * rate;
    lastStepNanos = now;
    if (progressBar != null) {
      progressBar.stepTo(p.step());
      progressBar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f lr %.1e %.0f seq/s", p.loss(), p.lr(), sequencesPerSecond));
    }
  }

  @Override
  public void onLog(LogEntry entry) {
    if (!entry.eval().isEmpty()) {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %.2f step %d eval", entry.epoch(), entry.step()));
      for (Map.Entry<String, Double> m : entry.eval().entrySet()) {
        s.append(String.format(Locale.ROOT, " %s %.4f", m.getKey(), m.getValue()));
      }
      line(s.toString());
    } else if (progressBar == null) {
      line(String.format(Locale.ROOT, "step %d epoch %.2f loss %.4f lr %.2e %.1f seq/s eta %s", entry.step(), entry.epoch(),
          entry.loss(), entry.lr(), entry.seqPerSec(), eta(entry.step())));
    }
  }

  @Override
  public void onFinish(TrainerState state) {
    if (progressBar != null) {
      progressBar.close();
      progressBar = null;
    }
    line("training finished after step " + state.step() + ": " + state.stopReason());
  }

  private String eta(long step) {
    long remaining = totalSteps - step;
    if (step <= startStep || remaining <= 0) {
      return "0s";
    }
    double secondsPerStep = (System.nanoTime() - startNanos) / 1e9 / (step - startStep);
    long seconds = Math.round(remaining * secondsPerStep);
    return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
        : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
  }

  private void line(String text) {
    if (progressBar != null) {
      out.print('\r'); // over the bar; it redraws itself on the next line
    }
    out.println(text);
    out.flush();
  }
}
