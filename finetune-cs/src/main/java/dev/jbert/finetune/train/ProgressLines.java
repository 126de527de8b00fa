package dev.jbert.finetune.train;

import dev.jbert.finetune.report.LogEntry;
import java.util.Locale;
import java.util.Map;

/**
 * The text of training's progress lines, shared by {@link ConsoleProgress} and other displays (the
 * {@code jbert} command line's progress bar prints the same start, evaluation and end lines).
 */
public final class ProgressLines {

  private ProgressLines() {}

  /** {@code training 500 steps (5 epochs x 100 steps, warm-up 50)}, and where a resumed run continues. */
  public static String start(TrainingPlan plan, long startStep) {
    return String.format(Locale.ROOT, "training %d steps (%s x %d steps, warm-up %d)%s", plan.totalSteps(),
        Trainer.count(plan.epochs(), "epoch"), plan.stepsPerEpoch(), plan.warmupSteps(),
        startStep > 0 ? ", resuming after step " + startStep : "");
  }

  /** {@code step 50 epoch 0.50 loss 1.2345 lr 5.00e-05 30.1 seq/s eta 1m40s} for a training-log entry. */
  public static String step(LogEntry entry, String eta) {
    return String.format(Locale.ROOT, "step %d epoch %.2f loss %.4f lr %.2e %.1f seq/s eta %s", entry.step(), entry.epoch(),
        entry.loss(), entry.lr(), entry.seqPerSec(), eta);
  }

  /** {@code epoch 1.00 step 100 eval accuracy 0.9000 ...} for an evaluation entry. */
  public static String evaluation(LogEntry entry) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %.2f step %d eval", entry.epoch(), entry.step()));
    for (Map.Entry<String, Double> m : entry.eval().entrySet()) {
      s.append(String.format(Locale.ROOT, " %s %.4f", m.getKey(), m.getValue()));
    }
    return s.toString();
  }

  /** {@code training finished after step 500: ...} with the reason it stopped. */
  public static String finish(TrainerState state) {
    return "training finished after step " + state.step() + ": " + state.stopReason();
  }
}
