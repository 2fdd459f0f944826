package io.ccf.ar.runtime.plugin;

import io.grpc.Status;

/** A gRPC status as one readable line: grpc-java descriptions can carry whole channel dumps. */
final class StatusText {
    private StatusText() {
    }

    static String of(Status status) {
        String description = status.getDescription();
        if (description == null || description.isBlank()) {
            return status.getCode().name();
        }
        String first = description.lines().findFirst().orElse("").strip();
        if (first.length() > 300) {
            first = first.substring(0, 300) + "...";
        }
        return status.getCode() + ": " + first;
    }
}
