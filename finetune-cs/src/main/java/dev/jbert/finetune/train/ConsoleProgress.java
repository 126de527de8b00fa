package dev.jbert.finetune.train;

import dev.jbert.finetune.report.LogEntry;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints training progress as plain lines ({@link ProgressLines}): the plan, one line per
 * training-log entry (step, epoch, loss, learning rate, sequences per second, time left), each
 * evaluation, and the end. Fits a log file or a pipe; the {@code jbert} command line draws a progress
 * bar instead when its output is a terminal (a library brings no terminal library).
 */
public final class ConsoleProgress implements TrainingListener {

  private final PrintWriter out;
  private long startStep;
  private long totalSteps;
  private long startNanos;

  /** @param out where the lines go; flushed after each */
  public ConsoleProgress(PrintWriter out) {
    this.out = out;
  }

  /** Progress lines on standard output. */
  public static ConsoleProgress onStdout() {
    return new ConsoleProgress(new PrintWriter(System.out, true));
  }

  @Override
  public void onStart(TrainingPlan plan, long startStep) {
    this.startStep = startStep;
    this.totalSteps = plan.totalSteps();
    this.startNanos = System.nanoTime();
    line(ProgressLines.start(plan, startStep));
  }

  @Override
  public void onLog(LogEntry entry) {
    line(entry.eval().isEmpty() ? ProgressLines.step(entry, eta(entry.step())) : ProgressLines.evaluation(entry));
  }

  @Override
  public void onFinish(TrainerState state) {
    line(ProgressLines.finish(state));
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
    out.println(text);
    out.flush();
  }
}
