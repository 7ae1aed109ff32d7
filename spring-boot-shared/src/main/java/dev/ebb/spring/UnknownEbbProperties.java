package dev.ebb.spring;

import dev.ebb.EbbConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The {@code ebb.*} properties of an environment that are not Ebb settings, such as a misspelt
 * {@code ebb.drain-timout}: Boot's binding would ignore them, Ebb refuses them at start-up as standalone apps
 * do. Names are compared in every spelling Boot's relaxed binding accepts ({@code ebb.drainTimeout},
 * {@code ebb.drain_timeout}). Environment variables are not checked, since other tools use the prefix.
 */
final class UnknownEbbProperties {

    private static final ConfigurationPropertyName EBB = ConfigurationPropertyName.of("ebb");
    /** Ebb's settings, squashed. */
    private static final Set<String> KNOWN = EbbConfig.PROPERTY_NAMES.stream()
            .map(UnknownEbbProperties::squash).collect(Collectors.toSet());

    /** One unknown property: its name as written in Ebb's form, its value and where it came from. */
    record Unknown(String name, String value, String origin) {
    }

    private UnknownEbbProperties() {
    }

    static List<Unknown> in(Environment environment) {
        List<Unknown> unknown = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            // Environment variables are left out: other tools use the EBB_ prefix too (EBB_HOME).
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            iterable.stream().filter(EBB::isAncestorOf).forEach(name -> {
                String rest = name.toString().substring("ebb.".length());
                if (!KNOWN.contains(squash(rest)) && unknown.stream().noneMatch(u -> u.name().equals(rest))) {
                    ConfigurationProperty property = iterable.getConfigurationProperty(name);
                    Object value = property == null ? null : property.getValue();
                    String origin = "Spring property ebb." + rest
                            + (property != null && property.getOrigin() != null ? " (" + property.getOrigin() + ")" : "");
                    unknown.add(new Unknown(rest.replace('.', '-'), String.valueOf(value), origin));
                }
            });
        }
        return unknown;
    }

    private static String squash(String name) {
        return name.replace("-", "").replace(".", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
