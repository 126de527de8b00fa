package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line main builds: only the subcommand the arguments name, all of them where they name none. */
class JbertCliTest {

  private static final Set<String> ALL =
      Set.of("version", "tokenize", "embed", "train", "eval", "predict", "serve", "convert", "help", "archive-run");

  private static Set<String> subcommands(String... args) {
    return JbertCli.commandLine(args).getSubcommands().keySet();
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertEquals(Set.of("predict"), subcommands("predict", "--model", "runs/x"));
    assertEquals(Set.of("train"), subcommands("-v", "train", "--model", "m", "--train", "t.csv"));
    assertEquals(ALL, JbertCli.commandLine().getSubcommands().keySet());
  }

  @Test
  void helpAUsageListingOrAMistypedNameGetsThemAll() {
    assertEquals(ALL, subcommands("help", "predict"));
    assertEquals(ALL, subcommands("--help"));
    assertEquals(ALL, subcommands());
    assertEquals(ALL, subcommands("prdict", "--model", "x"));
  }

  @Test
  void helpForASubcommandAndASuggestionForAMistypedOne() {
    CliRun help = CliRun.run("help", "predict");
    assertEquals(0, help.exitCode(), help.err());
    assertTrue(help.out().get(0).startsWith("Usage: jbert predict"), String.join("\n", help.out()));

    CliRun typo = CliRun.run("prdict", "--model", "x");
    assertEquals(2, typo.exitCode());
    assertTrue(typo.err().contains("Unmatched arguments from index 0: 'prdict'"), typo.err());
    assertTrue(typo.err().contains("Did you mean: jbert predict?"), typo.err());
  }

  @Test
  void theBackendLoadsAheadOnlyForCommandsThatRunAModelAndOnlyWhenQuiet() {
    for (List<String> args : List.of(List.of("predict", "--model", "m"), List.of("serve", "--model", "m"),
        List.of("train", "--model", "m"), List.of("eval", "--model", "m"), List.of("embed", "--model", "m"))) {
      assertTrue(JbertCli.runsModel(args.toArray(String[]::new)), args.toString());
    }
    for (List<String> args : List.<List<String>>of(List.of("tokenize", "--model", "m"), List.of("version"), List.of("help", "predict"),
        List.of(), List.of("-v", "predict", "--model", "m"), List.of("predict", "--verbose", "--model", "m"))) {
      assertFalse(JbertCli.runsModel(args.toArray(String[]::new)), args.toString());
    }
  }

  @Test
  void theArchiveRunsClassifierAnswersAndTheCommandIsNotListed(@TempDir Path tmp) throws IOException {
    Path model = tmp.resolve("tiny");
    ArchiveRunCommand.writeTinyClassifier(model);   // bin/jbert discards the run's output: a broken folder would only cost the archive
    CliRun predict = CliRun.withStdin("{\"text\":\"where is my card?\"}\n", "predict", "--model", model.toString());
    assertEquals(0, predict.exitCode(), predict.err());
    assertEquals(1, predict.out().size(), String.join("\n", predict.out()));
    assertTrue(predict.out().get(0).matches(".*\"label\":\"(card_arrival|refund)\".*"), predict.out().get(0));

    CliRun run = CliRun.run("archive-run");
    assertEquals(0, run.exitCode(), run.err());
    assertFalse(String.join("\n", CliRun.run("--help").out()).contains("archive-run"), "a hidden command");
  }
}
