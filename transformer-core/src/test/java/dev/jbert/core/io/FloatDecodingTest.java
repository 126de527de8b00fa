package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F16, BF16 and F64 storages become float32: checked for every 16-bit pattern against the IEEE definitions. */
class FloatDecodingTest {

  @TempDir Path tmp;

  /** binary16 by definition, in double: (-1)^s 2^(e-15) (1 + f/1024), subnormal 2^-14 f/1024. */
  private static double halfByDefinition(int bits) {
    int sign = bits >>> 15;
    int exponent = (bits >>> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    double magnitude = exponent == 0 ? Math.scalb(fraction / 1024.0, -14)
        : exponent == 31 ? (fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
        : Math.scalb(1 + fraction / 1024.0, exponent - 15);
    return sign == 1 ? -magnitude : magnitude;
  }

  @Test
  void everyHalfMatchesItsDefinition() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float converted = FloatDecoding.halfToFloat((short) bits);
      double expected = halfByDefinition(bits);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(converted), Integer.toHexString(bits));
        // the payload survives: the 10 fraction bits land in the top of float's 23
        assertEquals(bits & 0x3ff, (Float.floatToRawIntBits(converted) >>> 13) & 0x3ff);
      } else {
        assertEquals(expected, converted, 0.0, Integer.toHexString(bits)); // exact: no rounding anywhere
        assertEquals(bits >>> 15 == 1, (Float.floatToRawIntBits(converted) >>> 31) == 1, "sign of " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void wellKnownHalves() {
    assertEquals(1.0f, FloatDecoding.halfToFloat((short) 0x3c00));
    assertEquals(-2.0f, FloatDecoding.halfToFloat((short) 0xc000));
    assertEquals(65504f, FloatDecoding.halfToFloat((short) 0x7bff)); // largest finite
    assertEquals(0x1p-24f, FloatDecoding.halfToFloat((short) 0x0001)); // smallest subnormal
    assertEquals(0x1p-14f * 1023 / 1024, FloatDecoding.halfToFloat((short) 0x03ff)); // largest subnormal
    assertEquals(0x1p-14f, FloatDecoding.halfToFloat((short) 0x0400)); // smallest normal
    assertEquals(Float.NEGATIVE_INFINITY, FloatDecoding.halfToFloat((short) 0xfc00));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(FloatDecoding.halfToFloat((short) 0x8000)));
  }

  @Test
  void everyBfloat16IsTheUpperHalfOfAFloat() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float converted = FloatDecoding.bfloat16ToFloat((short) bits);
      assertEquals(bits << 16, Float.floatToRawIntBits(converted));
    }
    assertEquals(1.0f, FloatDecoding.bfloat16ToFloat((short) 0x3f80));
    assertEquals(-3.140625f, FloatDecoding.bfloat16ToFloat((short) 0xc049));
  }

  @Test
  void readsF16Bf16AndF64SafetensorsAndSkipsIntegers() throws Exception {
    byte[] f16 = SafetensorsFiles.shorts(0x3c00, 0x0001, 0xfc00, 0x7bff, 0x8000, 0x3555); // 1, 2^-24, -inf, 65504, -0, 0.333251953125
    byte[] bf16 = SafetensorsFiles.shorts(0x3f80, 0xc049, 0x0001);
    byte[] f64 = SafetensorsFiles.doubles(0.1, -1e300);
    byte[] i64 = new byte[16];
    String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"made by hand\"},"
        + "\"half\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
        + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[12,18]},"
        + "\"wide\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[18,34]},"
        + "\"ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[34,50]}}";
    Path file = SafetensorsFiles.write(tmp.resolve("mixed.safetensors"), header, SafetensorsFiles.concat(f16, bf16, f64, i64));

    LinkedHashMap<String, TensorData> read = Safetensors.read(file);

    assertEquals(java.util.List.of("half", "brain", "wide"), java.util.List.copyOf(read.keySet()));
    assertArrayEquals(new long[] {2, 3}, read.get("half").shape());
    assertArrayEquals(SharedFixtures.bits(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY, 65504f, -0.0f, 0.333251953125f}),
        SharedFixtures.bits(read.get("half").data()));
    assertArrayEquals(new float[] {1f, -3.140625f, Float.intBitsToFloat(0x00010000)}, read.get("brain").data());
    assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, read.get("wide").data()); // rounded to nearest float
    assertEquals(java.util.Map.of("format", "pt", "note", "made by hand"), Safetensors.metadata(file));
  }
}
