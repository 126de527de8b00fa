package dev.jbert.core.backend;

import java.util.Locale;
import org.bytedeco.javacpp.Loader;

/**
 * The BLAS library that carries jbert's matrix products: OpenBLAS, which ND4J brings, or Intel's
 * oneMKL, where its libraries are on the class path ({@code org.bytedeco:mkl}, classifier
 * {@code linux-x86_64-redist}; {@code mvn -Pmkl} adds it to this project's build). JavaCPP's
 * OpenBLAS bindings load MKL in OpenBLAS's place when told so before they load (the system property
 * {@code org.bytedeco.openblas.load=mkl_rt}), and {@link Backend#init()} tells them.
 *
 * <p>Why: on an Intel Xeon (Emerald Rapids) the same products run faster on MKL, at the batch-1
 * shapes above all (one thread, 32×384 by 384×1536: 119–120 GFLOP/s against OpenBLAS 0.3.21's
 * 56–84), and MiniLM's forward at 32×64 took 173–203 ms against 204–255 ms (medians of three
 * alternated pairs of workers; README, "BLAS: OpenBLAS or MKL"). On AMD CPUs MKL picks slower code
 * paths, so there it is used only when asked for.
 *
 * <p>The choice, in this order: {@code org.bytedeco.openblas.load} where the application set it
 * (JavaCPP's own switch); else {@code JBERT_BLAS} from the environment or the system property
 * {@code jbert.blas}: {@code openblas}, {@code mkl} or {@code auto} (the default: MKL on an Intel
 * CPU when its libraries are on the class path, OpenBLAS otherwise).
 */
public enum BlasLibrary {
  /** OpenBLAS 0.3.21, ND4J's own. */
  OPENBLAS,
  /** Intel oneMKL 2022.2 through {@code mkl_rt}, in OpenBLAS's place. */
  MKL;

  /** Environment variable that chooses; the system property {@link #PROPERTY} does the same. */
  public static final String ENVIRONMENT = "JBERT_BLAS";

  /** System property that chooses, read where {@link #ENVIRONMENT} is not set. */
  public static final String PROPERTY = "jbert.blas";

  /** JavaCPP's switch: the library its OpenBLAS bindings load. */
  static final String JAVACPP_LOAD = "org.bytedeco.openblas.load";

  /** The MKL library JavaCPP loads, by the path of its class-path resource under {@code org/bytedeco/mkl/<platform>/}. */
  private static final String MKL_RT_LINUX = "libmkl_rt.so.2";

  /** The library for this process: its settings, class path and CPU. */
  static BlasLibrary forThisProcess() {
    String setting = System.getenv(ENVIRONMENT);
    String source = ENVIRONMENT;
    if (setting == null || setting.isBlank()) {
      setting = System.getProperty(PROPERTY);
      source = "-D" + PROPERTY;
    }
    return choose(setting, source, System.getProperty(JAVACPP_LOAD), mklOnClassPath(), CpuInfo.thisMachine());
  }

  /**
   * The choice from its inputs.
   *
   * @param setting {@code openblas}, {@code mkl}, {@code auto}, or null/blank (auto)
   * @param source where the setting came from, for the error message
   * @param javacppLoad {@code org.bytedeco.openblas.load} as set, or null
   * @param mklPresent whether MKL's libraries are on the class path
   * @param cpu the CPU
   * @throws IllegalArgumentException for an unknown setting, or one that contradicts {@code javacppLoad}
   * @throws IllegalStateException for {@code mkl} without MKL's libraries
   */
  static BlasLibrary choose(String setting, String source, String javacppLoad, boolean mklPresent, CpuInfo cpu) {
    String wanted = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
    if (javacppLoad != null && !javacppLoad.isBlank()) {
      BlasLibrary set = javacppLoad.trim().toLowerCase(Locale.ROOT).startsWith("mkl") ? MKL : OPENBLAS;
      if (!wanted.equals("auto") && !wanted.equals(set.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(source + "=" + setting + " contradicts -D" + JAVACPP_LOAD + "=" + javacppLoad);
      }
      return set;
    }
    return switch (wanted) {
      case "openblas" -> OPENBLAS;
      case "mkl" -> {
        if (!mklPresent) {
          throw new IllegalStateException(source + "=mkl, but MKL's libraries are not on the class path: add "
              + "org.bytedeco:mkl:" + mklBindingsVersion() + " with classifier linux-x86_64-redist (this project: mvn -Pmkl"
              + " package)");
        }
        yield MKL;
      }
      case "auto" -> mklPresent && cpu.intel() ? MKL : OPENBLAS;
      default -> throw new IllegalArgumentException(source + " must be openblas, mkl or auto, got '" + setting + "'");
    };
  }

  /**
   * The version of the MKL bindings jbert is built with ({@code org.bytedeco:mkl}, a compile
   * dependency), from their jar's manifest, which the libraries' jars must match; the class is
   * looked up without initialising it, so no native library loads.
   */
  static String mklBindingsVersion() {
    try {
      Package bindings = Class.forName("org.bytedeco.mkl.global.mkl_rt", false, BlasLibrary.class.getClassLoader()).getPackage();
      String version = bindings.getImplementationVersion();
      return version == null ? "<the version of org.bytedeco:mkl on the class path>" : version;
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("org.bytedeco:mkl (MKL's bindings, a dependency of transformer-core) is not on the class path",
          e);
    }
  }

  /** Whether JavaCPP would find {@code mkl_rt} for this platform on the class path (Linux only). */
  static boolean mklOnClassPath() {
    String platform = Loader.getPlatform();
    return platform.startsWith("linux-")
        && BlasLibrary.class.getClassLoader().getResource("org/bytedeco/mkl/" + platform + "/" + MKL_RT_LINUX) != null;
  }
}
