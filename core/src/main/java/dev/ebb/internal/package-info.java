/** Ebb's implementation details; not API, may change in any release. */
package dev.ebb.internal;
