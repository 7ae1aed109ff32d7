/**
 * Ebb: graceful shutdown for Java HTTP servers behind load balancers. Users touch
 * {@link dev.ebb.EbbConfig} and the {@link dev.ebb.Ebb} handle an adapter returns.
 */
package dev.ebb;
