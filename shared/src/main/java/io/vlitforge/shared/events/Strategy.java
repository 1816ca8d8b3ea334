package io.vlitforge.shared.events;

/** The two ways the field makes instruction data. */
public enum Strategy {
    /** Annotation adaption: existing annotations rewritten with expert templates. */
    AA,
    /** Self-instruct: a model writes the conversation from a symbolic image. */
    SI
}
