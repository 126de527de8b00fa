package dev.jbert.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenBlasCoreTypeTest {

  private static final Set<String> AVX512_BF16 = Set.of("sse3", "avx", "avx2", "fma", "avx512f", "avx512vl",
      "avx512bw", "avx512_bf16");
  private static final Set<String> AVX512 = Set.of("sse3", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw");
  private static final Set<String> AVX2 = Set.of("sse3", "avx", "avx2", "fma");

  @Test
  void namesTheKernelsForIntelModelsOpenBlasMisreadsAsPrescott() {
    assertEquals(Optional.of("SkylakeX"), OpenBlasCoreType.choose("GenuineIntel", 6, 0xCF, AVX512_BF16),
        "Emerald Rapids");
    assertEquals(Optional.of("SkylakeX"), OpenBlasCoreType.choose("GenuineIntel", 6, 0xCF, AVX512));
    assertEquals(Optional.of("Haswell"), OpenBlasCoreType.choose("GenuineIntel", 6, 0xB7, AVX2), "Raptor Lake");
    assertEquals(Optional.of("Haswell"), OpenBlasCoreType.choose("GenuineIntel", 6, 0xC6, AVX2), "Arrow Lake");
    assertEquals(Optional.of("Sandybridge"), OpenBlasCoreType.choose("GenuineIntel", 6, 0xB0, Set.of("sse3", "avx")));
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("GenuineIntel", 6, 0xB0, Set.of("sse3")),
        "without AVX Prescott's kernels are the right ones");
  }

  @Test
  void leavesEveryCpuOpenBlasKnowsToItsOwnDetection() {
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("GenuineIntel", 6, 0x8F, AVX512_BF16), "Sapphire Rapids");
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("GenuineIntel", 6, 0x6A, AVX512), "Ice Lake server");
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("GenuineIntel", 6, 0x55, AVX512), "Skylake-X");
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("GenuineIntel", 6, 0xAD, AVX512_BF16),
        "Granite Rapids: extended model 10 falls back by features in OpenBLAS itself");
    assertEquals(Optional.empty(), OpenBlasCoreType.choose("AuthenticAMD", 25, 0x11, AVX512_BF16), "Zen 4");
    assertEquals(Optional.empty(), OpenBlasCoreType.choose(null, -1, -1, Set.of()), "nothing read");
  }

  @Test
  void readsTheFirstProcessorOfCpuinfo() {
    List<String> cpuinfo = List.of(
        "processor\t: 0",
        "vendor_id\t: GenuineIntel",
        "cpu family\t: 6",
        "model\t\t: 207",
        "model name\t: Intel(R) Xeon(R) Processor",
        "flags\t\t: fpu sse3 avx avx2 fma avx512f avx512bw avx512vl avx512_bf16 avx512_fp16",
        "",
        "processor\t: 1",
        "vendor_id\t: AuthenticAMD",
        "cpu family\t: 25",
        "model\t\t: 17",
        "flags\t\t: fpu sse3",
        "");
    assertEquals(Optional.of("SkylakeX"), OpenBlasCoreType.forCpuinfo(cpuinfo.stream()));
    assertEquals(Optional.empty(), OpenBlasCoreType.forCpuinfo(cpuinfo.subList(7, cpuinfo.size()).stream()));
  }

  @Test
  void backendInitNamesTheCoreWhereThisCpuNeedsOne() {
    Backend.init();                                   // BackendFirst ran it before any test class loaded ND4J
    Optional<String> needed = OpenBlasCoreType.forThisCpu();
    OpenBlasCoreType.Outcome outcome = Backend.openBlasCore;
    if (needed.isEmpty()) {
      assertEquals(OpenBlasCoreType.Outcome.NOT_NEEDED, outcome);
      return;
    }
    switch (outcome) {
      case NAMED -> assertEquals(needed.get(), NativeEnvironment.get("OPENBLAS_CORETYPE"));
      case EXPORTED -> assertNotNull(NativeEnvironment.get("OPENBLAS_CORETYPE"));
      case TOO_LATE -> throw new AssertionError("OPENBLAS_CORETYPE could not be named: OpenBLAS was loaded before "
          + "Backend.init() in this test JVM, which BackendFirst should prevent, or the C library's setenv is missing");
      default -> throw new AssertionError("a CPU that needs a core named, but " + outcome);
    }
  }
}
