package dev.nitricws.bootstrap;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import com.google.inject.BindingAnnotation;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The {@link dev.nitricws.domain.ConnectionRegistry} the app uses: the store module's, each call
 * timed when metrics are served ({@link MetricsModules}).
 */
@BindingAnnotation
@Retention(RUNTIME)
@Target({METHOD, PARAMETER})
@interface Measured {}
