"""Known-wrong: an evaluation hook rescales the model's input for evaluation (the scale is
kept in a local variable, set in after_create_session, after the restore): evaluate()
measures a model that training never saved and predict() never serves. Every variable
the checkpoint holds comes back right; only evaluate()'s outputs tell."""

import tensorflow.compat.v1 as tf


class ScaleForEvaluation(tf.train.SessionRunHook):
    """'The evaluation data come in other units': set the input scale for evaluate()."""

    def begin(self):
        scale = next(v for v in tf.local_variables() if v.op.name == "input_scale")
        self.assign = scale.assign(2.0)

    def after_create_session(self, session, coord):
        session.run(self.assign)


def model_fn(features, labels, mode):
    scale = tf.get_local_variable("input_scale", initializer=1.0)
    hidden = tf.layers.dense(features["x"] * scale, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      predictions={"y": output},
                                      evaluation_hooks=[ScaleForEvaluation()])
