package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert train} into a folder that already holds a model: refused (exit 2) unless --overwrite or --resume. */
class OutputFolderCliTest {

  @TempDir Path tmp;

  private CliRun train(String... more) throws Exception {
    Path data = tmp.resolve("train.csv");
    if (!Files.exists(data)) {
      Tickets.csv(data, 5, 1);
    }
    String[] base = {"train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", data.toString(),
        "--task", "intent", "--output", tmp.resolve("out").toString(), "--epochs", "1", "--batch-size", "8"};
    String[] args = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.run(args);
  }

  @Test
  void aSecondRunNeedsOverwrite() throws Exception {
    assertEquals(0, train().exitCode());
    byte[] first = Files.readAllBytes(tmp.resolve("out/model.safetensors"));

    CliRun again = train("--lr", "1e-3");
    assertEquals(2, again.exitCode(), again.err());
    assertTrue(again.err().startsWith("jbert: the output folder " + tmp.resolve("out") + " already holds checkpoint/, config.json,"),
        again.err());
    assertTrue(again.err().contains("pass --overwrite to replace it"), again.err());

    CliRun both = train("--overwrite", "--resume");
    assertEquals(2, both.exitCode());
    assertEquals("jbert: resume continues the run in the output folder, overwrite starts a new one: pick one", both.err().strip());

    CliRun replaced = train("--lr", "1e-3", "--overwrite", "--no-final-eval");
    assertEquals(0, replaced.exitCode(), replaced.err());
    assertEquals("kept epoch 1 (not scored: --no-final-eval)", replaced.out().get(replaced.out().size() - 1));
    assertFalse(Arrays.equals(first, Files.readAllBytes(tmp.resolve("out/model.safetensors"))));
    assertFalse(Files.exists(tmp.resolve("out/confusion_matrix.png")), "the first run's chart went with its folder");
  }
}
