package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which OpenBLAS kernels {@link Backend#init()} asks for, from the CPU's vendor and flags. */
class OpenBlasCoreTypeTest {

  private static final String AVX512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl";

  private static String cpuinfo(String vendor, String flags) {
    String cpu = "processor\t: %d\nvendor_id\t: " + vendor + "\nmodel name\t: some CPU\nflags\t\t: " + flags + "\n\n";
    return String.format(cpu, 0) + String.format(cpu, 1);
  }

  @Test
  void amdWithAvx512GetsTheSkylakeXKernels() {
    assertEquals("SkylakeX", Backend.openBlasCoreType(cpuinfo("AuthenticAMD", AVX512)));
  }

  @Test
  void openBlasDecidesElsewhere() {
    assertNull(Backend.openBlasCoreType(cpuinfo("GenuineIntel", AVX512)), "OpenBLAS knows Intel's AVX-512 CPUs");
    assertNull(Backend.openBlasCoreType(cpuinfo("AuthenticAMD", "fpu sse2 avx avx2 fma")), "AVX2 only");
    assertNull(Backend.openBlasCoreType(cpuinfo("AuthenticAMD", "fpu avx2 avx512f avx512cd")), "part of AVX-512 only");
    assertNull(Backend.openBlasCoreType(""), "no /proc/cpuinfo");
  }

  @Test
  void initSetsItForTheNativeCodeUnlessTheEnvironmentDid() throws Exception {
    Path file = Path.of("/proc/cpuinfo");
    String wanted = Files.exists(file) ? Backend.openBlasCoreType(Files.readString(file)) : null;
    String given = System.getenv("OPENBLAS_CORETYPE");
    Backend.init();
    assertEquals(given != null ? given : wanted, NativeEnvironment.get("OPENBLAS_CORETYPE"));
  }
}
