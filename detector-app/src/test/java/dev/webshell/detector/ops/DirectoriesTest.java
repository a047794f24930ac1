package dev.webshell.detector.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir Path tmp;

  @Test
  void shouldDeleteATreeWithFilesAndEmptyDirectoriesAtEveryLevel() throws Exception {
    Path root = tmp.resolve("state");
    Files.createDirectories(root.resolve("a/b/c"));
    Files.createDirectories(root.resolve("empty"));
    Files.writeString(root.resolve("top.txt"), "x");
    Files.writeString(root.resolve("a/b/c/deep.sst"), "x");

    assertTrue(Directories.deleteRecursively(root));

    assertFalse(Files.exists(root));
    assertTrue(Files.exists(tmp), "only the tree named is removed");
  }

  @Test
  void shouldDeleteALinkWithoutFollowingIt() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "x");
    Path root = Files.createDirectories(tmp.resolve("state"));
    Files.createSymbolicLink(root.resolve("link"), outside);

    assertTrue(Directories.deleteRecursively(root));

    assertTrue(Files.exists(outside.resolve("keep.txt")));
  }

  @Test
  void shouldTreatAMissingDirectoryAsDeleted() {
    assertTrue(Directories.deleteRecursively(tmp.resolve("never-made")));
    assertTrue(Directories.deleteRecursively(null));
  }
}
