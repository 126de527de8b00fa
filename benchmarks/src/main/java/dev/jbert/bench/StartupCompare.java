package dev.jbert.bench;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.io.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code jbert predict}'s first answer ({@link StartupTiming#predictFirstAnswer}) from several
 * launchers, e.g. {@code bin/jbert} of two checkouts, their runs alternated so that the machine's
 * slow and fast minutes fall on each alike; prints the median, min and max of each. Start-up
 * changes are measured with it: one run of {@code bin/jbert-bench} gives three start-up runs, on
 * machines whose speed moves by tenths of a second from minute to minute.
 */
@Command(name = "StartupCompare", mixinStandardHelpOptions = true,
    description = "jbert predict's first answer from each launcher, runs alternated.")
public final class StartupCompare implements Callable<Integer> {

  @Option(names = "--runs", defaultValue = "12", description = "Runs per launcher (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--model", defaultValue = "../shared/models/all-MiniLM-L6-v2",
      description = "Base model; a classifier with a new 2-label head is made from it (default: ${DEFAULT-VALUE}).")
  Path model;

  @Parameters(arity = "1..*", paramLabel = "LAUNCHER", description = "bin/jbert of each build to compare.")
  List<Path> launchers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StartupCompare()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("jbert-startup-compare");
    try {
      Backend.init();                                        // before the classifier below loads ND4J
      StartupTiming.classifierFrom(model, dir);
      List<List<Double>> firstAnswer = new ArrayList<>();
      for (Path launcher : launchers) {
        StartupTiming.predictFirstAnswer(launcher, dir);     // untimed: writes the launcher's class-data archive
        firstAnswer.add(new ArrayList<>());
      }
      for (int run = 0; run < runs; run++) {
        for (int i = 0; i < launchers.size(); i++) {
          firstAnswer.get(i).add(StartupTiming.predictFirstAnswer(launchers.get(i), dir).firstAnswerMs());
        }
      }
      for (int i = 0; i < launchers.size(); i++) {
        double[] ms = firstAnswer.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s: first answer median %.0f ms (min %.0f, max %.0f) over %d runs%n",
            launchers.get(i), JbertTiming.median(ms), ms[0], ms[ms.length - 1], ms.length);
      }
      return 0;
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }
}
