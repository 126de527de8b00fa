package dev.jbert.cli;

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

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  /** Builds the configured command line; tests call this to run subcommands in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new JbertCli());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("jbert: " + ex.getMessage());
          if (Boolean.getBoolean("jbert.stacktrace")) {
            ex.printStackTrace(commandLine.getErr());
          }
          return ex instanceof IllegalArgumentException ? 2 : 1;
        });
    return cl;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    // Quiet by default; -v (parsed before any ND4J class loads) raises the level.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.exit(commandLine().execute(args));
  }
}
