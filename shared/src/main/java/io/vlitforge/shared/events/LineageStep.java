package io.vlitforge.shared.events;

/** One stage a sample passed through, with the component version that handled it. */
public record LineageStep(String stage, String component, String version, String at) {
}
