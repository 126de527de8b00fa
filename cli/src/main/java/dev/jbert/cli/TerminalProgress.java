package dev.jbert.cli;

import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.train.ProgressLines;
import dev.jbert.finetune.train.TrainerState;
import dev.jbert.finetune.train.TrainingListener;
import dev.jbert.finetune.train.TrainingPlan;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on a terminal: a progress bar ({@code me.tongfei:progressbar}) with step, time
 * left, loss, learning rate and sequences per second, and the library's plan, evaluation and end lines
 * ({@link ProgressLines}) printed over it. {@code jbert train} uses it when standard output is a
 * terminal and the library's plain {@link dev.jbert.finetune.train.ConsoleProgress} lines otherwise.
 */
final class TerminalProgress implements TrainingListener {

  private final PrintWriter out;
  private final PrintStream barStream;
  private ProgressBar progressBar;
  private long lastStepNanos;
  private double sequencesPerSecond = Double.NaN;

  /**
   * @param out where the lines go
   * @param barStream where the bar is drawn (the terminal)
   */
  TerminalProgress(PrintWriter out, PrintStream barStream) {
    this.out = out;
    this.barStream = barStream;
  }

  @Override
  public void onStart(TrainingPlan plan, long startStep) {
    line(ProgressLines.start(plan, startStep));
    lastStepNanos = System.nanoTime();
    progressBar = new ProgressBarBuilder()
        .setTaskName("train")
        .setInitialMax(plan.totalSteps())
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(barStream))
        .setUpdateIntervalMillis(500)
        .startsFrom(startStep, Duration.ZERO)
        .build();
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
    if (!entry.eval().isEmpty()) { // training-log lines are what the bar shows
      line(ProgressLines.evaluation(entry));
    }
  }

  @Override
  public void onFinish(TrainerState state) {
    if (progressBar != null) {
      progressBar.close();
      progressBar = null;
    }
    line(ProgressLines.finish(state));
  }

  private void line(String text) {
    if (progressBar != null) {
      // over the bar, erasing what is left of it (ANSI erase to end of line); it redraws itself below
      out.print('\r' + text + "\033[K");
      out.println();
    } else {
      out.println(text);
    }
    out.flush();
  }
}
