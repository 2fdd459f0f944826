package io.ccf.ar.runtime.config;

import java.util.Objects;

/** One step of a task: run {@code provider} against the subjects {@code selector} picks. */
public record ActivitySpec(String id, String title, SelectorSpec selector, ProviderSpec provider) {
    public ActivitySpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(provider, "provider");
    }
}
