package dev.webshell.testkit.kafka;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.kafka.clients.admin.Admin;

/**
 * The cluster's shared {@link Admin} as handed out: its {@code close()} does nothing, so callers
 * may use try-with-resources on {@link EmbeddedKafkaCluster#admin()}; the cluster closes the real
 * one.
 */
final class UncloseableAdmin {
  private UncloseableAdmin() {}

  /** An Admin whose close() is a no-op, so callers may use try-with-resources on admin(). */
  static Admin wrap(Admin delegate) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close":
              return null;
            case "equals":
              return proxy == args[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            case "toString":
              return "EmbeddedKafkaCluster.admin(" + delegate + ")";
            case "unwrapEmbeddedAdmin":
              return delegate;
            default:
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        };
    return (Admin)
        Proxy.newProxyInstance(
            UncloseableAdmin.class.getClassLoader(),
            new Class<?>[] {Admin.class, Unwrappable.class},
            handler);
  }

  static Admin unwrap(Admin admin) {
    return admin instanceof Unwrappable u ? u.unwrapEmbeddedAdmin() : admin;
  }

  /** Internal marker to reach the real admin client behind the uncloseable proxy. */
  private interface Unwrappable {
    Admin unwrapEmbeddedAdmin();
  }
}
