package dev.jbert.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The choice between OpenBLAS and MKL, and that {@link Backend#init()} loads the one chosen. The
 * module's tests run twice over the class path: without MKL's libraries (every test), and with them
 * and {@code jbert.blas=mkl} (this test and the parity tests; the pom's on-mkl execution).
 */
class BlasLibraryTest {

  private static final CpuInfo INTEL = new CpuInfo("GenuineIntel", 6, 0xCF, Set.of("avx2", "avx512vl"));
  private static final CpuInfo AMD = new CpuInfo("AuthenticAMD", 26, 0x02, Set.of("avx2", "avx512vl"));

  @Test
  void autoTakesMklOnIntelWhereItsLibrariesAreThere() {
    assertEquals(BlasLibrary.MKL, BlasLibrary.choose(null, "JBERT_BLAS", null, true, INTEL));
    assertEquals(BlasLibrary.MKL, BlasLibrary.choose(" Auto ", "JBERT_BLAS", null, true, INTEL));
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose(null, "JBERT_BLAS", null, false, INTEL), "no MKL on the class path");
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose("", "JBERT_BLAS", null, true, AMD), "MKL runs slower paths on AMD");
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose(null, "JBERT_BLAS", null, true, CpuInfo.UNKNOWN));
  }

  @Test
  void anExplicitChoiceWins() {
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose("openblas", "JBERT_BLAS", null, true, INTEL));
    assertEquals(BlasLibrary.MKL, BlasLibrary.choose("MKL", "JBERT_BLAS", null, true, AMD));
    assertEquals(BlasLibrary.MKL, BlasLibrary.choose(null, "JBERT_BLAS", "mkl_rt", false, AMD), "JavaCPP's own switch");
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose("auto", "JBERT_BLAS", "openblas", true, INTEL));
  }

  @Test
  void badChoicesSayWhatAndWhere() {
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> BlasLibrary.choose("mkl", "-Djbert.blas", null, false, INTEL));
    assertTrue(missing.getMessage().startsWith("-Djbert.blas=mkl, but MKL's libraries are not on the class path"),
        missing.getMessage());
    // the version of the bindings on the class path, which must be the one the parent pom's mkl.version names
    String built = System.getProperty("jbert.test.mklVersion");
    assertNotNull(built, "run through Maven: the parent pom passes mkl.version as jbert.test.mklVersion");
    assertTrue(missing.getMessage().contains("org.bytedeco:mkl:" + built + " with classifier linux-x86_64-redist"),
        missing.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> BlasLibrary.choose("atlas", "JBERT_BLAS", null, true, INTEL));
    assertEquals("JBERT_BLAS must be openblas, mkl or auto, got 'atlas'", unknown.getMessage());
    IllegalArgumentException contradiction = assertThrows(IllegalArgumentException.class,
        () -> BlasLibrary.choose("openblas", "JBERT_BLAS", "mkl_rt", true, INTEL));
    assertEquals("JBERT_BLAS=openblas contradicts -Dorg.bytedeco.openblas.load=mkl_rt", contradiction.getMessage());
  }

  @Test
  void backendLoadsTheLibraryThisJvmAsksFor() throws Exception {
    boolean mklAsked = "mkl".equals(System.getProperty(BlasLibrary.PROPERTY));
    assertEquals(mklAsked, BlasLibrary.mklOnClassPath(),
        "MKL's libraries are on the class path of the on-mkl test execution only");
    BlasLibrary expected = mklAsked || (BlasLibrary.mklOnClassPath() && CpuInfo.thisMachine().intel())
        ? BlasLibrary.MKL : BlasLibrary.OPENBLAS;
    assertEquals(expected, Backend.blasLibrary());
    String maps = Files.readString(Path.of("/proc/self/maps"));
    assertEquals(expected == BlasLibrary.MKL, maps.contains("/libmkl_rt.so"), "libmkl_rt mapped into the process");
    assertEquals(expected == BlasLibrary.MKL ? "MKL" : "OPENBLAS", Nd4j.factory().blas().getBlasVendor().name());
    assertEquals(1, Nd4j.factory().blas().getMaxThreads(), "single-threaded: Gemm cuts the products itself");
    assertEquals(expected.name(), Backend.info().get("blas"));
  }
}
