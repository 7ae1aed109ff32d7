/**
 * Spring Boot auto-configuration of Ebb: a deregistration delay before Boot's own graceful shutdown,
 * {@code Connection: close} while the load balancer deregisters the instance, and a keep-alive idle
 * timeout above the load balancer's, on Tomcat, Jetty and Reactor Netty. Configured with {@code ebb.*}
 * properties ({@link dev.ebb.spring.EbbProperties}); {@code ebb.enabled=false} switches it all off.
 */
package dev.ebb.spring;
