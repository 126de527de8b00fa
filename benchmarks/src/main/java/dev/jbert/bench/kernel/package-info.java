/**
 * JMH benchmarks of every kernel of {@code dev.jbert.core.kernel}, each beside the other
 * implementations the project has of it: the tuned float kernel ({@code kernel}), the plain double
 * reference the 1e-9 parity checks run ({@code double}, where the op has one), and the
 * straightforward version from ND4J's own ops ({@code nd4j}). One class per kernel: attention
 * forward and backward at sequence lengths 32–512 and head dims 32 and 64, layer norm, GELU, the
 * masked softmax, the GEMMs of BERT's linear layers and the batched GEMMs of attention heads.
 * Every shape holds 2,048 tokens (batch × seq), as the 32×64 and 16×128 workloads of
 * {@code bin/jbert-bench}. Settings are short (one fork, 2 × 0.2 s warm-up, 3 × 0.2 s measured),
 * so that the suite runs in a few minutes; pass JMH's {@code -wi}, {@code -i}, {@code -f} for more.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'dev.jbert.bench.kernel' -rf json -rff kernels.json
 * java -jar benchmarks/target/benchmarks.jar 'kernel.Attention' -p seq=128 -p impl=kernel,nd4j,double
 * </pre>
 */
package dev.jbert.bench.kernel;
