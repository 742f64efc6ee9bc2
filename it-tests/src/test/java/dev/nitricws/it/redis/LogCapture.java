package dev.nitricws.it.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects, while open, every log line of the adapter and of Lettuce at DEBUG (Lettuce's lines are
 * kept out of the console), with the messages of any exceptions logged.
 */
final class LogCapture implements AutoCloseable {

  private static final String[] QUIET = {"io.lettuce"};
  private static final String[] SHOWN = {"dev.nitricws"};

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> levels = new ArrayList<>();
  private final List<Boolean> additive = new ArrayList<>();

  LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    appender.setContext(context);
    appender.start();
    for (String name : QUIET) {
      attach(context.getLogger(name), false);
    }
    for (String name : SHOWN) {
      attach(context.getLogger(name), true);
    }
  }

  private void attach(Logger logger, boolean keepAdditive) {
    loggers.add(logger);
    levels.add(logger.getLevel());
    additive.add(logger.isAdditive());
    logger.setLevel(Level.DEBUG);
    logger.setAdditive(keepAdditive);
    logger.addAppender(appender);
  }

  /** Every line so far: the formatted message and the class and message of each logged throwable. */
  synchronized List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(appender.list)) {
      StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      lines.add(line.toString());
    }
    return lines;
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      Logger logger = loggers.get(i);
      logger.detachAppender(appender);
      logger.setLevel(levels.get(i));
      logger.setAdditive(additive.get(i));
    }
    appender.stop();
  }
}
