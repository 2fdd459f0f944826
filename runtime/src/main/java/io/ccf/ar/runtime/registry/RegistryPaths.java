package io.ccf.ar.runtime.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps a request path to a file of a registry tree, or to nothing. Each segment is percent-decoded on
 * its own (so {@code %2e%2e} and {@code %2f} cannot smuggle a {@code ..} or a separator past the split)
 * and refused when empty, hidden ({@code .}, {@code ..}, {@code .staging-*}, {@code .publish.lock}) or
 * holding a separator or NUL. The file found must be a regular file whose real path, symlinks
 * followed, is still under the root's real path.
 */
final class RegistryPaths {
    private final Path root;
    private final Path realRoot;

    RegistryPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            this.realRoot = this.root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve registry root " + this.root, e);
        }
    }

    Path root() {
        return root;
    }

    /** The real path of the regular file {@code rawPath} names under the root, or empty (→ 404). */
    Optional<Path> resolve(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/") || rawPath.length() == 1) {
            return Optional.empty();
        }
        Path candidate = realRoot;
        for (String rawSegment : rawPath.substring(1).split("/", -1)) {
            Optional<String> segment = decode(rawSegment).filter(RegistryPaths::isServable);
            if (segment.isEmpty()) {
                return Optional.empty();
            }
            candidate = candidate.resolve(segment.get());
        }
        if (!Files.isRegularFile(candidate)) {
            return Optional.empty();
        }
        try {
            Path real = candidate.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isServable(String segment) {
        return !segment.isEmpty() && !segment.startsWith(".") && segment.indexOf('/') < 0
                && segment.indexOf('\\') < 0 && segment.indexOf('\0') < 0;
    }

    /** Strict percent-decoding of one segment into UTF-8; '+' stays '+' (it is literal in a path, and in versions like 1.0+build). */
    static Optional<String> decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                return Optional.empty(); // raw paths are ASCII; package and version names always are
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
