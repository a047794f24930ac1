package dev.webshell.testkit;
