package dev.t2i.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;

/**
 * The ops that a graph's requested outputs need, each after the ops that make its inputs, and the
 * leaves they read (placeholders, variables, constants), both in the order a depth-first walk
 * from the outputs meets them.
 */
record OpOrder(List<SameDiffOp> ops, List<String> leaves) {

    /**
     * The order for {@code outputs} of {@code sd}; null where an op they need is not
     * {@linkplain RunnableOps#runnable runnable} or has control dependencies.
     */
    static OpOrder of(SameDiff sd, String... outputs) {
        List<SameDiffOp> order = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        Map<String, Boolean> visited = new HashMap<>();
        for (String out : outputs) {
            if (!sd.hasVariable(out)) {
                throw new IllegalArgumentException("the graph has no variable '" + out + "'");
            }
            if (!visit(sd, out, visited, order, leaves)) {
                return null;
            }
        }
        return new OpOrder(order, leaves);
    }

    /**
     * Adds the ops {@code name} needs to {@code order} and the leaves they read to {@code leaves};
     * false where one of them is not runnable here. {@code visited} holds variable names and, as
     * {@code "op:" + name}, ops.
     */
    private static boolean visit(SameDiff sd, String name, Map<String, Boolean> visited, List<SameDiffOp> order,
            List<String> leaves) {
        // an explicit stack: the backward graph is thousands of ops deep. An entry is a variable
        // and whether its op's inputs are already on the stack (then the op itself is next)
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {name, false});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            String var = (String) top[0];
            boolean expanded = (Boolean) top[1];
            if (isLeaf(sd, var)) {
                if (visited.putIfAbsent(var, true) == null) {
                    leaves.add(var);
                }
                continue;
            }
            String opName = sd.getVariables().get(var).getOutputOfOp();
            if (opName == null) {
                return false;
            }
            if (expanded) {
                if (visited.putIfAbsent("op:" + opName, true) == null) {
                    SameDiffOp op = sd.getOps().get(opName);
                    if (!RunnableOps.runnable(op.getOp())) {
                        return false;
                    }
                    order.add(op);
                }
                continue;
            }
            if (visited.containsKey("op:" + opName)) {
                continue;
            }
            stack.push(new Object[] {var, true});
            SameDiffOp op = sd.getOps().get(opName);
            List<String> ins = op.getInputsToOp();
            if (ins != null) {
                for (int i = ins.size() - 1; i >= 0; i--) {
                    String in = ins.get(i);
                    if (!visited.containsKey(in) || !isLeaf(sd, in)) {
                        stack.push(new Object[] {in, false});
                    }
                }
            }
            if (op.getControlDeps() != null && !op.getControlDeps().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLeaf(SameDiff sd, String name) {
        VariableType t = sd.getVariable(name).getVariableType();
        return t == VariableType.PLACEHOLDER || t == VariableType.VARIABLE || t == VariableType.CONSTANT;
    }
}
