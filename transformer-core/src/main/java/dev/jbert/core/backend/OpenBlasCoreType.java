package dev.jbert.core.backend;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The kernels OpenBLAS should run on CPUs it misreads. ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.21,
 * whose CPU detection ({@code driver/others/dynamic.c}, {@code get_coretype}) lists Intel's family-6
 * models by their extended model number and falls through to the Prescott (SSE3) kernels for every
 * extended model from 11 on (model 0xB0 and later: Raptor Lake, Arrow Lake, Lunar Lake, Emerald
 * Rapids); unknown models of a listed group fall back to the right kernels by CPU features. On 2
 * vCPUs of an Emerald Rapids Xeon (model 0xCF) a 2048×384×1536 SGEMM ({@code Nd4j.gemm}, OpenBLAS on
 * 2 threads) ran 28-63 GFLOP/s on Prescott's kernels and 217-295 on Cooperlake's or SkylakeX's
 * (AVX-512), the same library when told.
 *
 * <p>For those CPUs this names the kernels of OpenBLAS's own fallback by features (AVX-512: SkylakeX;
 * AVX2: Haswell; AVX: Sandybridge) and {@link Backend#init()} sets it as {@code OPENBLAS_CORETYPE}
 * unless the variable is set, before OpenBLAS loads. (That fallback picks Cooperlake where AVX-512
 * has BF16, whose single- and double-precision kernels are SkylakeX's; 0.3.21 cannot be told
 * Cooperlake by name: {@code force_coretype} stops one entry short of it and prints "Core not
 * found".) Every other CPU keeps OpenBLAS's own detection.
 */
final class OpenBlasCoreType {

  /** What {@link Backend#init()} did about it. */
  enum Outcome {
    /** OpenBLAS detects this CPU itself. */
    NOT_NEEDED,
    /** {@code OPENBLAS_CORETYPE} was set before OpenBLAS loaded. */
    NAMED,
    /** The variable was set already (exported): left alone. */
    EXPORTED,
    /** OpenBLAS was loaded before {@link Backend#init()} (or the environment could not be set): warned. */
    TOO_LATE
  }

  private OpenBlasCoreType() {}

  /** The core to name for this machine's CPU, from {@code /proc/cpuinfo}; empty where OpenBLAS detects it. */
  static Optional<String> forThisCpu() {
    return forCpu(CpuInfo.thisMachine());
  }

  /** As {@link #forThisCpu()}, for the CPU a {@code /proc/cpuinfo} describes ({@link CpuInfo#parse}). */
  static Optional<String> forCpuinfo(Stream<String> lines) {
    return forCpu(CpuInfo.parse(lines));
  }

  private static Optional<String> forCpu(CpuInfo cpu) {
    return choose(cpu.vendor(), cpu.family(), cpu.model(), cpu.flags());
  }

  /**
   * The core for a CPU, or empty where OpenBLAS 0.3.21 detects it itself.
   *
   * @param vendor {@code vendor_id}, e.g. GenuineIntel
   * @param family {@code cpu family}
   * @param model {@code model}: the extended model in its upper four bits
   * @param flags {@code flags} as Linux names them (avx2, avx512vl, avx512_bf16, ...)
   */
  static Optional<String> choose(String vendor, int family, int model, Set<String> flags) {
    boolean fallsToPrescott = "GenuineIntel".equals(vendor) && family == 6 && (model >> 4) >= 11;
    if (!fallsToPrescott) {
      return Optional.empty();
    }
    // OpenBLAS's support_avx512() asks for AVX2 and AVX512VL.
    boolean avx512 = flags.contains("avx2") && flags.contains("avx512vl");
    if (avx512) {
      return Optional.of("SkylakeX");
    }
    if (flags.contains("avx2")) {
      return Optional.of("Haswell");
    }
    return flags.contains("avx") ? Optional.of("Sandybridge") : Optional.empty();
  }
}
