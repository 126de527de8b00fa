package dev.jbert.cli;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.HubException;
import dev.jbert.finetune.data.DataFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The {@code jbert} command line. Each task is one subcommand class; add new ones to
 * {@link #SUBCOMMANDS}.
 */
@Command(
    name = "jbert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Fine-tune and run BERT models on customer-service text, in pure Java.")
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

  /** The subcommands, in the order {@code jbert --help} lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(VersionCommand.class, TokenizeCommand.class,
      EmbedCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class, ServeCommand.class,
      ConvertCommand.class, CommandLine.HelpCommand.class, ArchiveRunCommand.class);

  /** The subcommands that run a model, and so load ND4J's native backend. */
  private static final Set<Class<?>> MODEL_COMMANDS = Set.of(EmbedCommand.class, TrainCommand.class,
      EvalCommand.class, PredictCommand.class, ServeCommand.class, ArchiveRunCommand.class);

  /** Builds the configured command line with every subcommand; tests call this to run subcommands in-process. */
  public static CommandLine commandLine() {
    return commandLine(SUBCOMMANDS);
  }

  /**
   * The command line for {@code args}: only the subcommand they name where they name one (picocli
   * reads a subcommand's options by reflection, which for all seven took a quarter of a second of
   * every start), else all of them (for {@code help}, a usage listing or a mistyped name's
   * suggestions).
   */
  static CommandLine commandLine(String[] args) {
    Class<?> named = named(args);
    return commandLine(named == null || named == CommandLine.HelpCommand.class ? SUBCOMMANDS : List.of(named));
  }

  /** The subcommand {@code args} name (their first argument that is not an option), or null. */
  private static Class<?> named(String[] args) {
    String name = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    return SUBCOMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(name)).findFirst().orElse(null);
  }

  private static CommandLine commandLine(List<Class<?>> subcommands) {
    CommandLine cl = new CommandLine(new JbertCli());
    for (Class<?> subcommand : subcommands) {
      cl.addSubcommand(subcommand);
    }
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
    if (runsModel(args)) {
      Backend.initInBackground();   // ND4J's libraries load while picocli builds and parses the command line
    }
    System.exit(commandLine(args).execute(args));
  }

  /**
   * Whether {@code args} name a subcommand that runs a model, without {@code -v}: verbose runs load
   * ND4J after the option has raised the log level, so that its start-up lines show.
   */
  static boolean runsModel(String[] args) {
    boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("--verbose") || (a.startsWith("-v") && !a.startsWith("--")));
    Class<?> named = named(args);
    return !verbose && named != null && MODEL_COMMANDS.contains(named);
  }
}
