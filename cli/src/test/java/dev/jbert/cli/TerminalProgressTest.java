package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.train.TrainerState;
import dev.jbert.finetune.train.TrainingListener.StepProgress;
import dev.jbert.finetune.train.TrainingPlan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** On a terminal, jbert train draws a progress bar and prints the plan, evaluations and end over it. */
class TerminalProgressTest {

  @Test
  void drawsABarAndPrintsOnlyPlanEvaluationsAndEndAsLines() {
    StringWriter text = new StringWriter();
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    TerminalProgress progress = new TerminalProgress(new PrintWriter(text), new PrintStream(terminal, true, StandardCharsets.UTF_8));

    progress.onStart(new TrainingPlan(10, 10, 2, 20, 2), 0);
    for (int step = 1; step <= 20; step++) {
      progress.onStep(new StepProgress(step, 20, step / 10.0, 0.5, 5e-5, 1.0, 32));
    }
    progress.onLog(LogEntry.train(20, 2.0, 0.5, 5e-5, 30.0)); // shown by the bar, not as a line
    progress.onLog(LogEntry.evaluation(20, 2.0, Map.of("accuracy", 0.75)));
    progress.onFinish(TrainerState.initial(List.of("a", "b"), Map.of(), 8));

    List<String> lines = List.of(text.toString().replace("\r", "").replace("\033[K", "").split("\n")); // over the bar
    assertEquals("training 20 steps (2 epochs x 10 steps, warm-up 2)", lines.get(0));
    assertEquals("epoch 2.00 step 20 eval accuracy 0.7500", lines.get(1));
    assertTrue(lines.get(2).startsWith("training finished after step 0"), lines.get(2));
    assertEquals(3, lines.size(), text.toString());
    assertTrue(text.toString().contains("\repoch 2.00 step 20 eval accuracy 0.7500\033[K"), "written over the bar, erasing its rest");

    String bar = terminal.toString(StandardCharsets.UTF_8);
    assertTrue(bar.contains("train") && bar.contains("100%") && bar.contains("20/20"), bar);
    assertTrue(bar.contains("loss 0.500 lr 5.0e-05"), bar);
  }
}
