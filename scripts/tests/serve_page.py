"""Drives the web page of a running `dslr serve` in headless Chromium (Debian's chromium and
chromium-driver, through selenium): picks a photo, enhances it, waits for the result and the
before/after slider, checks the download link, and saves a screenshot.

Usage: python serve_page.py URL PHOTO SCREENSHOT
Prints "serve-page: 1 passed, 0 failed" (or the failure) last.
"""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait


def main(url, photo, screenshot):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 120)
        # The model list comes from /v1/models.
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) >= 1)
        names = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#model option")]
        assert "dslrkit-default" in names, names
        driver.find_element(By.ID, "file").send_keys(photo)
        wait.until(ready.element_to_be_clickable((By.ID, "go")))
        driver.find_element(By.ID, "go").click()
        wait.until(lambda d: d.find_element(By.ID, "compare").is_displayed())
        status = driver.find_element(By.ID, "status").text
        assert status.startswith("Enhanced with dslrkit-default"), status
        natural = driver.execute_script("const i = document.getElementById('after'); return [i.naturalWidth, i.naturalHeight];")
        assert natural[0] > 0 and natural[1] > 0, natural
        link = driver.find_element(By.ID, "download")
        assert link.is_displayed() and link.get_attribute("href").startswith("blob:"), link.get_attribute("href")
        # Drag the slider to a third of the way and check the result's share follows.
        box = driver.find_element(By.ID, "compare")
        webdriver.ActionChains(driver).move_to_element_with_offset(box, -box.size["width"] // 6, 0).click().perform()
        share = driver.execute_script("return parseFloat(document.getElementById('after-wrap').style.width);")
        assert 25 < share < 42, share
        driver.save_screenshot(screenshot)
    finally:
        driver.quit()


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Exception as error:  # one line, then the count the test runner reads
        print(f"serve-page: failed: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        print("serve-page: 0 passed, 1 failed")
        sys.exit(1)
    print("serve-page: 1 passed, 0 failed")
