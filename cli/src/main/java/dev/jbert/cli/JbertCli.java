package dev.jbert.cli;

import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.HubException;
import dev.jbert.finetune.data.DataFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jbert} command line. Each task is one subcommand class; add new ones to
 * {@code subcommands} below.
 */
@Command(
    name = "jbert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Fine-tune and run BERT models on customer-service text, in pure Java.",
    subcommands = {
      VersionCommand.class,
      TokenizeCommand.class,
      EmbedCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class JbertCli implements Callable<Integer> {

  /** Shared by every subcommand: {@code -v} shows library logging (ND4J start-up included). */
  public static final class Verbosity {
    @Option(names = {"-v", "--verbose"}, description = "Show library logging (ND4J start-up and info messages).")
    void setVerbose(boolean verbose) {
      if (verbose) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      }
    }
  }

  @CommandLine.Mixin Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Exit code of bad input: options, data files, model folders. */
  static final int BAD_INPUT = 2;

  /** No subcommand: the usage on stderr and exit code 2, as any other wrong command line. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return BAD_INPUT;
  }

  /** Builds the configured command line; tests call this to run subcommands in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new JbertCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("jbert: " + ex.getMessage());
          if (Boolean.getBoolean("jbert.stacktrace")) {
            ex.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return exitCode(ex);
        });
    return cl;
  }

  /**
   * 2 for bad input (an option, a data file, a model folder that cannot be used or found), 1 for
   * anything else (a failing disk, a bug).
   */
  static int exitCode(Exception ex) {
    boolean badInput = ex instanceof IllegalArgumentException || ex instanceof DataFileException
        || ex instanceof CheckpointException || ex instanceof HubException;
    return badInput ? BAD_INPUT : 1;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    // Quiet by default; -v (parsed before any ND4J class loads) raises the level.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.exit(commandLine().execute(args));
  }
}
