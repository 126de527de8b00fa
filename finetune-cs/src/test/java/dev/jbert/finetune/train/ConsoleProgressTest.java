package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.report.LogEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The library's progress output is plain lines, one per event, fit for a log file or a pipe. */
class ConsoleProgressTest {

  @Test
  void printsOneLinePerEventAndNoTerminalControl() {
    StringWriter text = new StringWriter();
    ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text));

    progress.onStart(new TrainingPlan(10, 10, 2, 20, 2), 0);
    progress.onStep(new TrainingListener.StepProgress(1, 20, 0.1, 1.5, 5e-5, 2.0, 32)); // no line of its own
    progress.onLog(LogEntry.train(10, 1.0, 1.23456, 5e-5, 30.12));
    progress.onLog(LogEntry.evaluation(10, 1.0, Map.of("accuracy", 0.9)));
    progress.onFinish(TrainerState.initial(List.of("a", "b"), Map.of(), 8));

    List<String> lines = text.toString().lines().toList();
    assertEquals(4, lines.size(), text.toString());
    assertEquals("training 20 steps (2 epochs x 10 steps, warm-up 2)", lines.get(0));
    assertTrue(lines.get(1).startsWith("step 10 epoch 1.00 loss 1.2346 lr 5.00e-05 30.1 seq/s eta "), lines.get(1));
    assertEquals("epoch 1.00 step 10 eval accuracy 0.9000", lines.get(2));
    assertTrue(lines.get(3).startsWith("training finished after step 0"), lines.get(3));
    assertTrue(text.toString().chars().noneMatch(c -> c == '\r' || c == 0x1b), "no carriage returns or escapes");
  }

  @Test
  void saysWhereAResumedRunContinues() {
    StringWriter text = new StringWriter();
    new ConsoleProgress(new PrintWriter(text)).onStart(new TrainingPlan(10, 10, 2, 20, 2), 10);
    assertEquals("training 20 steps (2 epochs x 10 steps, warm-up 2), resuming after step 10", text.toString().strip());
  }

  @Test
  void oneEpochIsSingular() {
    StringWriter text = new StringWriter();
    new ConsoleProgress(new PrintWriter(text)).onStart(new TrainingPlan(10, 10, 1, 10, 1), 0);
    assertEquals("training 10 steps (1 epoch x 10 steps, warm-up 1)", text.toString().strip());
  }
}
