package dev.jbert.core.io;

import java.nio.ByteBuffer;

/**
 * Exact conversions of stored floating-point elements to float32. Every F16 and BF16 value
 * (subnormals, infinities and NaN included) is representable in float32, so nothing is rounded;
 * F64 is rounded to the nearest float32.
 */
final class FloatDecoding {
  private FloatDecoding() {}

  /**
   * Decodes {@code count} elements of {@code dtype} starting at {@code src}'s position (the buffer's
   * byte order is used) into {@code dst[dstOffset ..]}; advances {@code src} past them.
   */
  static void decode(ByteBuffer src, DType dtype, float[] dst, int dstOffset, int count) {
    switch (dtype) {
      case F32 -> {
        src.asFloatBuffer().get(dst, dstOffset, count);
        src.position(src.position() + 4 * count);
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = halfToFloat(src.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = bfloat16ToFloat(src.getShort());
        }
      }
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = (float) src.getDouble();
        }
      }
      default -> throw new IllegalArgumentException(dtype + " is not a floating-point type");
    }
  }

  /** IEEE 754 binary16 bits to float32: sign, 5-bit exponent (bias 15), 10-bit fraction. */
  static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    if (exponent == 0x1f) { // infinity, or NaN with its payload kept
      return Float.intBitsToFloat(sign | 0x7f800000 | (fraction << 13));
    }
    if (exponent == 0) { // zero or subnormal: fraction * 2^-24, exact in float32
      float magnitude = fraction * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    // normal: rebias the exponent from 15 to 127 and widen the fraction from 10 to 23 bits
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (fraction << 13));
  }

  /** bfloat16 bits are the upper half of a float32. */
  static float bfloat16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }
}
