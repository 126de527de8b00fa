package dev.jbert.finetune.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContextPackerTest {

  private static final int SEP = 102;
  private static final List<int[]> TURNS = List.of(new int[] {1, 2, 3}, new int[] {4, 5}, new int[] {6, 7, 8, 9});

  @Test
  void everythingFits() {
    assertArrayEquals(new int[] {1, 2, 3, SEP, 4, 5, SEP, 6, 7, 8, 9}, ContextPacker.pack(TURNS, 11, SEP));
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, ContextPacker.pack(TURNS, 9, -1));
  }

  @Test
  void oldestTurnsAreDroppedFirst() {
    assertArrayEquals(new int[] {4, 5, SEP, 6, 7, 8, 9}, ContextPacker.pack(TURNS, 10, SEP));
    assertArrayEquals(new int[] {4, 5, SEP, 6, 7, 8, 9}, ContextPacker.pack(TURNS, 7, SEP));
    assertArrayEquals(new int[] {6, 7, 8, 9}, ContextPacker.pack(TURNS, 6, SEP));
  }

  @Test
  void aTooLongNewestTurnKeepsItsEnd() {
    assertArrayEquals(new int[] {8, 9}, ContextPacker.pack(TURNS, 2, SEP));
    assertArrayEquals(new int[0], ContextPacker.pack(TURNS, 0, SEP));
    assertArrayEquals(new int[0], ContextPacker.pack(List.of(), 5, SEP));
    assertThrows(IllegalArgumentException.class, () -> ContextPacker.pack(TURNS, -1, SEP));
  }
}
