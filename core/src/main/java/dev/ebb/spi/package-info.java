/**
 * What server adapters implement ({@link dev.ebb.spi.ServerAdapter}) and call
 * ({@link dev.ebb.spi.EbbCore}'s per-request hooks). Application code does not need this package.
 */
package dev.ebb.spi;
