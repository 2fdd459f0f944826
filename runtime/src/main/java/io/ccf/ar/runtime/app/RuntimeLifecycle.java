package io.ccf.ar.runtime.app;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the runtime is in its life: {@code NEW → STARTING → RUNNING → STOPPING → STOPPED}. Every
 * transition is logged once; readiness and the fleet view read {@link #state()}.
 */
public final class RuntimeLifecycle {
    /** The states, in the only order they are entered. */
    public enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private static final Logger log = LoggerFactory.getLogger(RuntimeLifecycle.class);

    private final String runtimeId;
    private final List<Consumer<State>> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = State.NEW;

    public RuntimeLifecycle(String runtimeId) {
        this.runtimeId = runtimeId;
    }

    public State state() {
        return state;
    }

    /** True from the moment stop begins. */
    public boolean stopping() {
        return state.compareTo(State.STOPPING) >= 0;
    }

    /** Told every later transition, with the state entered. */
    public void onTransition(Consumer<State> listener) {
        listeners.add(listener);
    }

    /**
     * Enters {@code next}; only forward moves happen (a stop during start goes straight on to STOPPING).
     * Returns false, and changes nothing, when the runtime is already at or past {@code next}.
     */
    public boolean enter(State next) {
        State previous;
        synchronized (this) {
            previous = state;
            if (next.compareTo(previous) <= 0) {
                return false;
            }
            state = next;
        }
        log.atInfo().addKeyValue("runtimeId", runtimeId).addKeyValue("from", previous).addKeyValue("to", next)
                .log("runtime state changed");
        listeners.forEach(l -> l.accept(next));
        return true;
    }
}
