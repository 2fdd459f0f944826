package io.ccf.ar.runtime.cli;

import picocli.CommandLine.Option;

/** How the daemon reloads: on SIGHUP always, on file changes unless {@code --no-watch}. */
final class ReloadOptions {
    @Option(names = "--watch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reload when config.yml or a plan file changes on disk (default: on; SIGHUP reloads either way).")
    boolean watch = true;
}
