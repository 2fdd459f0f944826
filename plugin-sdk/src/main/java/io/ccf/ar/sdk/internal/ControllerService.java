package io.ccf.ar.sdk.internal;

import io.ccf.ar.proto.goplugin.Empty;
import io.ccf.ar.proto.goplugin.GRPCControllerGrpc;
import io.grpc.stub.StreamObserver;

/**
 * go-plugin's {@code plugin.GRPCController}: {@code Shutdown} answers first,
 * then stops the plugin on another thread (go-plugin's own server stops before
 * answering, so hosts also accept UNAVAILABLE here).
 */
final class ControllerService extends GRPCControllerGrpc.GRPCControllerImplBase {
    private final PluginCore core;

    ControllerService(PluginCore core) {
        this.core = core;
    }

    @Override
    public void shutdown(Empty request, StreamObserver<Empty> obs) {
        obs.onNext(Empty.getDefaultInstance());
        obs.onCompleted();
        core.stop("controller shutdown");
    }
}
