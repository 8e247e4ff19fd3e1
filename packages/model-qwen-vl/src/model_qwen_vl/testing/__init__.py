"""Test helpers shipped with the package: tiny random checkpoints and test-stack provisioning."""
