package io.ccf.ar.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The base images from Debian's packages (scripts/debian-base-images.sh) that stand in for the upstream
 * ones on an engine without Docker Hub: built when missing, and named by the variables the script prints.
 */
final class StandInImages {
    private static final Pattern EXPORT = Pattern.compile("(?m)^export (AR_[A-Z_]+_IMAGE)=(\\S+)$");

    private StandInImages() {
    }

    /** Runs the script; returns AR_BUILD_IMAGE, AR_RUNTIME_BASE_IMAGE, AR_REGISTRY_BASE_IMAGE and AR_NATS_IMAGE. */
    static Map<String, String> ensure(Path repoRoot) throws IOException, InterruptedException {
        Path log = Files.createTempFile("debian-base-images", ".log");
        try {
            Process p = new ProcessBuilder(repoRoot.resolve("scripts/debian-base-images.sh").toString())
                    .directory(repoRoot.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new IOException("scripts/debian-base-images.sh took over 15 minutes:\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("scripts/debian-base-images.sh failed (" + p.exitValue() + "):\n" + output);
            }
            Map<String, String> images = new LinkedHashMap<>();
            Matcher m = EXPORT.matcher(output);
            while (m.find()) {
                images.put(m.group(1), m.group(2));
            }
            if (images.size() != 4) {
                throw new IOException("expected four images from scripts/debian-base-images.sh:\n" + output);
            }
            return images;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
