"""Known-wrong: evaluation and prediction hooks load 'pretrained' weights in
after_create_session, after the Estimator restored the trained checkpoint: evaluate()
and predict() run on the pretrained values, not on what training saved."""

import numpy as np
import tensorflow.compat.v1 as tf

PRETRAINED = {"hidden/kernel": np.full((4, 8), 0.1, np.float32)}


class LoadPretrained(tf.train.SessionRunHook):
    def begin(self):
        variables = {v.op.name: v for v in tf.global_variables()}
        self.assign = tf.group(*[variables[name].assign(value)
                                 for name, value in PRETRAINED.items()])

    def after_create_session(self, session, coord):
        session.run(self.assign)


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output},
                                          prediction_hooks=[LoadPretrained()])
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      evaluation_hooks=[LoadPretrained()])
