package dev.jbert.cli;

import dev.jbert.core.backend.Backend;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code jbert version}: jbert and Java versions, the ND4J backend, BLAS vendor and thread counts. */
@Command(name = "version", description = "Print jbert, Java and ND4J backend versions and thread settings.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private static final java.util.Properties BUILD = load();

  private static java.util.Properties load() {
    java.util.Properties p = new java.util.Properties();
    try (var in = VersionCommand.class.getResourceAsStream("/jbert-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  static String jbertVersion() {
    return BUILD.getProperty("jbert.version", "unknown");
  }

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.println("jbert " + jbertVersion());
    out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    out.println("nd4j " + BUILD.getProperty("nd4j.version", "unknown"));
    for (Map.Entry<String, String> e : Backend.info().entrySet()) {
      out.println(e.getKey() + " " + e.getValue());
    }
    out.flush();
    return 0;
  }

  /** Feeds {@code jbert --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"jbert " + jbertVersion()};
    }
  }
}
