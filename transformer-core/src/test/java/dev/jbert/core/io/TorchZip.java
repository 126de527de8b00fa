package dev.jbert.core.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes zips laid out as {@code torch.save} does: uncompressed entries under one archive folder. */
final class TorchZip {
  private TorchZip() {}

  /** {@code archive/data.pkl}, then {@code archive/data/<key>} for each storage, then {@code archive/version}. */
  static Map<String, byte[]> entries(byte[] pickle, Map<String, byte[]> storages) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", pickle);
    storages.forEach((key, bytes) -> entries.put("archive/data/" + key, bytes));
    entries.put("archive/version", "3\n".getBytes());
    return entries;
  }

  static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(e.getValue().length);
        entry.setCompressedSize(e.getValue().length);
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
    return Files.write(file, zip(entries(pickle, storages)));
  }
}
