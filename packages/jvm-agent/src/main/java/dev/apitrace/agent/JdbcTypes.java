package dev.apitrace.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which loaded classes implement java.sql.Statement or java.sql.Connection, learnt from
 * class file headers as classes load. A superclass and the interfaces are always loaded
 * before their subtypes, so knowing the direct supertypes of each class is enough,
 * without resolving any type through a class loader while classes load.
 */
final class JdbcTypes {
    private final Set<String> statements = ConcurrentHashMap.newKeySet();
    private final Set<String> connections = ConcurrentHashMap.newKeySet();

    JdbcTypes() {
        statements.add("java/sql/Statement");
        statements.add("java/sql/PreparedStatement");
        statements.add("java/sql/CallableStatement");
        connections.add("java/sql/Connection");
    }

    void noteType(String name, String superName, String[] interfaces) {
        if (inAny(statements, superName, interfaces)) {
            statements.add(name);
        }
        if (inAny(connections, superName, interfaces)) {
            connections.add(name);
        }
    }

    private static boolean inAny(Set<String> set, String superName, String[] interfaces) {
        if (superName != null && set.contains(superName)) {
            return true;
        }
        for (String i : interfaces) {
            if (set.contains(i)) {
                return true;
            }
        }
        return false;
    }

    /** Either kind, by internal name: the cheap test before any hook work on a loading class. */
    boolean isImplementation(String internalName) {
        return statements.contains(internalName) || connections.contains(internalName);
    }

    boolean isStatement(String dottedName) {
        return statements.contains(dottedName.replace('.', '/'));
    }

    boolean isConnection(String dottedName) {
        return connections.contains(dottedName.replace('.', '/'));
    }
}
